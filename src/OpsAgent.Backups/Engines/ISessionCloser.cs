namespace OpsAgent.Backups.Engines;

/// <summary>An engine whose restore over the original waits on the application's open sessions (PostgreSQL's locks block <c>DROP TABLE</c>).</summary>
internal interface ISessionCloser
{
    /// <summary>Ends the sessions of the job's own role on the database the restore goes into, where the role may; returns what it did, for the restore's steps.</summary>
    Task<string> CloseSessionsAsync(EngineContext context, RestoreTarget into, CancellationToken cancellationToken);
}
