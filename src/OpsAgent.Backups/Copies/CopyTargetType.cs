namespace OpsAgent.Backups.Copies;

/// <summary>
/// A copy target type (<c>s3</c>, <c>sftp</c>, <c>directory</c>). The type is one folder: its settings
/// (<typeparamref name="TOptions"/>, validating and describing themselves) and this class, registered with one
/// <see cref="BackupServiceCollectionExtensions.AddCopyTarget{TType, TOptions}"/> line.
/// </summary>
/// <typeparam name="TOptions">The sealed options type of the type's settings, bound from the target's own JSON object.</typeparam>
public abstract class CopyTargetType<TOptions> : ICopyTargetFactory
    where TOptions : class, ICopyTargetSettings
{
    /// <summary>Opens a session on the target (a client, a connection) for one copy pass; the caller disposes it.</summary>
    /// <exception cref="CopyFailedException">The target cannot be reached or refuses the credentials (its reason says which).</exception>
    protected abstract Task<ICopySession> ConnectAsync(CopyTargetContext context, TOptions options, CancellationToken cancellationToken);

    Task<ICopySession> ICopyTargetFactory.ConnectAsync(CopyTargetContext context, CopyTargetOptions target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return ConnectAsync(context, (TOptions)target.Settings!, cancellationToken);
    }
}
