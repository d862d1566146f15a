
namespace OpsAgent.Backups.Engines.Postgres;

/// <summary>Before a restore over the original: the application's remaining sessions end, so their locks do not block the restore's drops.</summary>
internal sealed partial class PostgresEngine : ISessionCloser
{
    /// <summary>Sessions of the same role on the same database; a role may signal its own backends (PostgreSQL's pg_signal_backend rule).</summary>
    private const string TerminateOwnSessions = """
        select count(*) filter (where pg_terminate_backend(pid)) from pg_stat_activity
        where datname = current_database() and usename = current_user and pid <> pg_backend_pid()
        """;

    public async Task<string> CloseSessionsAsync(EngineContext context, RestoreTarget into, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(into);
        var connection = Parse(context);
        var database = into.Database ?? context.SourceDatabase ?? connection.Database;
        if (database is null)
        {
            return "no database named: no session closed";
        }

        var answer = await AskAsync(context, DrillTool(context), connection.WithDatabase(database), TerminateOwnSessions, cancellationToken).ConfigureAwait(false);
        return answer.Refusal == Refusal.None
            ? $"ended {answer.Value ?? "0"} other session(s) of {connection.Environment.GetValueOrDefault("PGUSER") ?? "the job's role"} on {database}"
            : $"could not end the other sessions on {database}: {answer.Error} (the restore waits for their locks)";
    }
}
