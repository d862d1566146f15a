namespace OpsAgent.Backups.Copies;

/// <summary>A registered copy target type, without its options type: what the copy stage calls.</summary>
public interface ICopyTargetFactory
{
    /// <summary>Opens a session on <paramref name="target"/>, whose <see cref="CopyTargetOptions.Settings"/> the type's options were bound into.</summary>
    Task<ICopySession> ConnectAsync(CopyTargetContext context, CopyTargetOptions target, CancellationToken cancellationToken);
}
