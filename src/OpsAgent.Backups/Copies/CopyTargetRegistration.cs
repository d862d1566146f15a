namespace OpsAgent.Backups.Copies;

/// <summary>A copy target type under the name a target's <c>Type</c> selects it by.</summary>
/// <param name="Name">The registered name (<c>s3</c>), as logs and status spell it.</param>
/// <param name="Factory">The type.</param>
internal sealed record CopyTargetRegistration(string Name, ICopyTargetFactory Factory);
