namespace OpsAgent.Backups.Engines;

/// <summary>An engine under the name a job's <c>Engine</c> selects it by.</summary>
/// <param name="Name">The registered name (<c>postgres</c>), as metadata, logs and status spell it whatever the configuration's case.</param>
/// <param name="Engine">The engine.</param>
internal sealed record BackupEngineRegistration(string Name, IBackupEngine Engine);
