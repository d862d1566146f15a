namespace OpsAgent.Core.Logging;

/// <summary>
/// Every <c>[LoggerMessage]</c> event id of the agent, the value of <c>OPSAGENT_EVENT_ID</c> in the journal.
/// </summary>
/// <remarks>
/// Operators filter on these numbers, so an id is never reused or repurposed: a message that goes away takes its id to the
/// retired list in docs/journal-events.md, and a new one gets a fresh id in its capability's range (1000-1999 foundation,
/// 2000-2999 backups, 3000-3999 certificates, 4000-4999 probes). The table in that page is checked against this class
/// id by id and name by name.
/// </remarks>
public static class EventIds
{
    /// <summary>Loading, reloading and applying the configuration.</summary>
    public static class Configuration
    {
        /// <summary>The configuration was loaded at start.</summary>
        public const int Loaded = 1000;

        /// <summary>A reload was accepted and applied.</summary>
        public const int Reloaded = 1001;

        /// <summary>A reload was rejected by validation; the previous generation stays.</summary>
        public const int ReloadRejected = 1002;

        /// <summary>One validation error of a rejected load, with its path.</summary>
        public const int ConfigError = 1003;

        /// <summary>A valid reload could not be applied to the scheduler.</summary>
        public const int ApplyFailed = 1004;

        /// <summary>After a failed apply, the previous generation could not be applied again either.</summary>
        public const int RestoreFailed = 1005;

        /// <summary>A configuration change listener threw.</summary>
        public const int ListenerFailed = 1006;

        /// <summary>A reload threw instead of reporting; the watcher goes on and the configuration in force stays.</summary>
        public const int ReloadCrashed = 1007;

        /// <summary>The file watcher reported a problem; polling goes on.</summary>
        public const int WatchError = 1010;
    }

    /// <summary>Scheduled jobs, whatever their capability.</summary>
    public static class Jobs
    {
        /// <summary>A job threw instead of returning an outcome.</summary>
        public const int JobCrashed = 1100;
    }

    /// <summary>The Quartz scheduler and its reconcile with the configuration.</summary>
    public static class Scheduler
    {
        /// <summary>The scheduler started.</summary>
        public const int Started = 1200;

        /// <summary>A job was scheduled.</summary>
        public const int JobAdded = 1201;

        /// <summary>A job's schedule changed.</summary>
        public const int JobRescheduled = 1202;

        /// <summary>A job was removed by a reload.</summary>
        public const int JobRemoved = 1203;

        /// <summary>A job's definition changed and it was replaced.</summary>
        public const int JobReplaced = 1204;

        /// <summary>A running job was cancelled because the agent stops.</summary>
        public const int Interrupted = 1206;
    }

    /// <summary>The systemd notify protocol.</summary>
    public static class Systemd
    {
        /// <summary>A notification to <c>NOTIFY_SOCKET</c> failed.</summary>
        public const int NotifyFailed = 1300;
    }

    /// <summary>The agent process: start, listen address, state directory.</summary>
    public static class Host
    {
        /// <summary>The agent started and listens.</summary>
        public const int Started = 1500;

        /// <summary><c>Http:Listen</c> changed; it takes effect at the next restart.</summary>
        public const int ListenNeedsRestart = 1501;

        /// <summary>The state directory cannot be written.</summary>
        public const int StateUnwritable = 1502;

        /// <summary>The state directory can be written again.</summary>
        public const int StateWritableAgain = 1503;
    }

    /// <summary>The control socket the CLI talks to.</summary>
    public static class Control
    {
        /// <summary>The control socket listens.</summary>
        public const int Listening = 1600;

        /// <summary>The control socket could not be opened; CLI verbs run in their own process.</summary>
        public const int Unavailable = 1601;

        /// <summary>The CLI asked the daemon to run a verb.</summary>
        public const int Request = 1602;
    }

    /// <summary>The metrics pipeline.</summary>
    public static class Metrics
    {
        /// <summary>An instrument reached its series limit (<c>metric_series_overflow</c>).</summary>
        public const int SeriesOverflow = 1700;
    }

    /// <summary>Host commands run as transient systemd units.</summary>
    public static class HostCommands
    {
        /// <summary>No systemd system instance: the command runs as a child process.</summary>
        public const int RunningDirectly = 1800;

        /// <summary>A transient unit could not be stopped.</summary>
        public const int StopFailed = 1801;

        /// <summary>A transient unit's output could not be read from the journal.</summary>
        public const int OutputUnreadable = 1802;
    }

    /// <summary>Database backups.</summary>
    public static class Backups
    {
        /// <summary>A dump began (<c>backup_started</c>).</summary>
        public const int Started = 2000;

        /// <summary>A backup was verified and published (<c>backup_succeeded</c>).</summary>
        public const int Succeeded = 2001;

        /// <summary>An attempt failed (<c>backup_failed</c>).</summary>
        public const int Failed = 2002;

        /// <summary>Retention deleted a backup (<c>backup_deleted</c>).</summary>
        public const int Deleted = 2003;

        /// <summary>A dry run would delete a backup (<c>backup_would_delete</c>).</summary>
        public const int WouldDelete = 2004;

        /// <summary>A partial file of an interrupted run was removed (<c>backup_partial_removed</c>).</summary>
        public const int StalePartialRemoved = 2005;

        /// <summary>The dump tool wrote to stderr.</summary>
        public const int ToolStderr = 2006;

        /// <summary>An attempt failed and is retried.</summary>
        public const int Retrying = 2007;

        /// <summary>A missed run is caught up (<c>backup_catch_up</c>).</summary>
        public const int CatchingUp = 2008;

        /// <summary>A run waits for a dump slot.</summary>
        public const int WaitingForSlot = 2009;

        /// <summary>A file is not counted as a backup (<c>backup_ignored</c>).</summary>
        public const int Ignored = 2010;

        /// <summary>Retention met something that is not a regular file (<c>backup_delete_skipped</c>).</summary>
        public const int DeleteSkipped = 2011;

        /// <summary>Retention could not delete a file (<c>backup_delete_failed</c>).</summary>
        public const int DeleteFailed = 2012;

        /// <summary>Partial files were left alone because a run holds the job's lock.</summary>
        public const int PartialsInUse = 2013;

        /// <summary>A run that waited got a dump slot (<c>backup_slot_acquired</c>).</summary>
        public const int SlotAcquired = 2014;

        /// <summary>A run was refused: another run of the job holds its lock (<c>backup_refused</c>).</summary>
        public const int Refused = 2015;

        /// <summary>A run failed before its first attempt: the job's lock cannot be taken (<c>backup_failed</c>).</summary>
        public const int FailedToStart = 2016;

        /// <summary>At start: the newest backup covers the schedule's previous fire time, so no catch-up run.</summary>
        public const int CatchUpNotNeeded = 2025;

        /// <summary>Connection URL parameters meant for an ORM are not passed to the dump tools.</summary>
        public const int OrmParametersIgnored = 2030;
    }

    /// <summary>Off-host copies of backups (a part of the backups range).</summary>
    public static class Copies
    {
        /// <summary>A backup was copied to a target and checked there (<c>copy_succeeded</c>).</summary>
        public const int Succeeded = 2100;

        /// <summary>A copy pass failed; the local backup is untouched (<c>copy_failed</c>).</summary>
        public const int Failed = 2101;

        /// <summary>A remote backup was deleted by the copy's retention (<c>copy_deleted</c>).</summary>
        public const int Deleted = 2102;

        /// <summary>A file transfer failed and is retried after a delay.</summary>
        public const int Retrying = 2103;

        /// <summary>A pass found the target holding everything its retention keeps.</summary>
        public const int UpToDate = 2104;

        /// <summary>Local retention kept a backup a target still lacks (<c>backup_kept_uncopied</c>).</summary>
        public const int KeptUncopied = 2105;

        /// <summary>Local retention deleted a backup a target never received, after <c>KeepUncopiedDays</c> (<c>backup_uncopied_deleted</c>).</summary>
        public const int UncopiedDeleted = 2106;

        /// <summary>Another process holds the job's copy lock; the pass did nothing (<c>copy_refused</c>).</summary>
        public const int Refused = 2107;

        /// <summary>What interrupted uploads left on a target (multipart uploads, partial files) was removed.</summary>
        public const int IncompleteRemoved = 2108;

        /// <summary>A remote file could not be deleted; it is tried again at the next pass.</summary>
        public const int DeleteFailed = 2109;

        /// <summary>A copy pass started.</summary>
        public const int Started = 2110;

        /// <summary>S3: the server cannot list incomplete multipart uploads, so none were removed (debug).</summary>
        public const int S3CannotListUploads = 2111;

        /// <summary>S3: an object was uploaded, with its parts and how it was verified (debug).</summary>
        public const int S3Uploaded = 2112;

        /// <summary>S3: a failed multipart upload could not be aborted; the next pass's clean-up retries.</summary>
        public const int S3AbortFailed = 2113;

        /// <summary>A backup was downloaded from a target (restore --from).</summary>
        public const int Fetched = 2114;

        /// <summary>A remote object of the job is dated in the future and ignored (<c>copy_ignored</c>).</summary>
        public const int RemoteIgnored = 2115;
    }

    /// <summary>File and volume backups (a part of the backups range).</summary>
    public static class BackupFiles
    {
        /// <summary>Files changed or vanished while they were read (<c>backup_files_changed</c>).</summary>
        public const int Changed = 2200;

        /// <summary>Unreadable files were skipped under <c>IgnoreUnreadable</c> (<c>backup_files_unreadable</c>).</summary>
        public const int Unreadable = 2201;

        /// <summary>Sockets, devices or FIFOs were left out (<c>backup_files_skipped</c>).</summary>
        public const int Skipped = 2202;
    }

    /// <summary>Services the agent stops and starts again around a backup or a restore (a part of the backups range).</summary>
    public static class Stops
    {
        /// <summary>A service was stopped (<c>service_stopped</c>).</summary>
        public const int Stopped = 2220;

        /// <summary>A stopped service was started again (<c>service_started</c>).</summary>
        public const int Started = 2221;

        /// <summary>A stopped service could not be started again (<c>service_start_failed</c>).</summary>
        public const int StartFailed = 2222;

        /// <summary>At start-up, a service a previous run left stopped was started (<c>service_recovered</c>).</summary>
        public const int Recovered = 2223;

        /// <summary>A service could not be stopped, so nothing was read (<c>service_stop_failed</c>).</summary>
        public const int StopFailed = 2224;
    }

    /// <summary>Restore drills (a part of the backups range).</summary>
    public static class Drills
    {
        /// <summary>A drill began (<c>drill_started</c>).</summary>
        public const int Started = 2300;

        /// <summary>A drill restored the backup and every check held (<c>drill_succeeded</c>).</summary>
        public const int Succeeded = 2301;

        /// <summary>A drill failed (<c>drill_failed</c>).</summary>
        public const int Failed = 2302;

        /// <summary>A table has less than half the rows it had at the previous drill (<c>drill_rows_dropped</c>).</summary>
        public const int RowsDropped = 2303;

        /// <summary>The scratch copy could not be removed (<c>drill_cleanup_failed</c>).</summary>
        public const int CleanupFailed = 2304;
    }

    /// <summary>Restores over a live application (a part of the backups range).</summary>
    public static class Restores
    {
        /// <summary>A restore step began (<c>restore_step</c>).</summary>
        public const int Step = 2400;

        /// <summary>A restore over the original finished with every step (<c>restore_succeeded</c>).</summary>
        public const int Succeeded = 2401;

        /// <summary>A restore over the original failed at a step (<c>restore_failed</c>).</summary>
        public const int Failed = 2402;
    }

    /// <summary>Certificate checks and renewals.</summary>
    public static class Certificates
    {
        /// <summary>A certificate is critical (<c>certificate_critical</c>).</summary>
        public const int Critical = 3000;

        /// <summary>A certificate expires soon (<c>certificate_warning</c>).</summary>
        public const int Warning = 3001;

        /// <summary>A certificate is back to ok (<c>certificate_ok</c>).</summary>
        public const int Ok = 3002;

        /// <summary>A file or endpoint could not be read (<c>certificate_check_failed</c>).</summary>
        public const int CheckFailed = 3003;

        /// <summary>A failing check succeeds again.</summary>
        public const int CheckRecovered = 3004;

        /// <summary>An endpoint's chain or name does not verify (<c>certificate_verify_failed</c>).</summary>
        public const int VerifyFailed = 3005;

        /// <summary>An endpoint verifies again.</summary>
        public const int VerifyRecovered = 3006;

        /// <summary>An <c>OnCritical</c> command succeeded (<c>certificate_renewal</c>).</summary>
        public const int RenewalSucceeded = 3007;

        /// <summary>An <c>OnCritical</c> command failed (<c>certificate_renewal</c>).</summary>
        public const int RenewalFailed = 3008;

        /// <summary>A renewal was not run: the day's attempt was made.</summary>
        public const int RenewalSkipped = 3009;

        /// <summary>The renewal state file cannot be read or written.</summary>
        public const int StateFileProblem = 3010;

        /// <summary>A renewal was not run because its attempt could not be recorded.</summary>
        public const int RenewalNotRun = 3011;

        /// <summary>An <c>OnCritical</c> command could not start (<c>certificate_renewal</c>).</summary>
        public const int RenewalNotStarted = 3012;
    }

    /// <summary>Health probes and restarts.</summary>
    public static class Probes
    {
        /// <summary>A probe failed <c>FailureThreshold</c> times in a row (<c>probe_failing</c>).</summary>
        public const int Failing = 4000;

        /// <summary>A failing probe is healthy again (<c>probe_recovered</c>).</summary>
        public const int Recovered = 4001;

        /// <summary>A restart is issued (<c>restart_started</c>).</summary>
        public const int RestartStarted = 4002;

        /// <summary>The target recovered after the restart (<c>restart_recovered</c>).</summary>
        public const int RestartRecovered = 4003;

        /// <summary>The target did not recover within <c>VerifyTimeout</c> (<c>restart_not_recovered</c>).</summary>
        public const int RestartNotRecovered = 4004;

        /// <summary>The restart itself failed (<c>restart_not_recovered</c>, <c>restart_error</c>).</summary>
        public const int RestartFailed = 4005;

        /// <summary><c>MaxRestarts</c> in <c>Window</c> reached (<c>restart_suppressed</c>).</summary>
        public const int Suppressed = 4006;

        /// <summary>Failing but not restarted (<c>restart_skipped</c>).</summary>
        public const int RestartSkipped = 4007;

        /// <summary>Something was done before the restart (<c>restart_prepared</c>).</summary>
        public const int Prepared = 4008;

        /// <summary>One attempt's result (debug).</summary>
        public const int Result = 4009;

        /// <summary>The target was stopped on purpose (<c>probe_stopped</c>).</summary>
        public const int Stopped = 4010;

        /// <summary>The restart call did not return in time.</summary>
        public const int RestartCallTimedOut = 4020;

        /// <summary>The pause file is unusable (<c>pause_file_unreadable</c>).</summary>
        public const int PauseFileUnreadable = 4021;

        /// <summary>A failure was not counted: the agent itself stopped the probe's target for a backup or a restore.</summary>
        public const int HeldByAgent = 4022;

        /// <summary>A measuring probe entered its warning level (<c>probe_warning</c>).</summary>
        public const int Warning = 4030;

        /// <summary>A measuring probe left its warning level for ok (<c>probe_ok</c>).</summary>
        public const int Ok = 4031;

        /// <summary>A probe's <c>OnCritical</c> command ran (<c>probe_command</c>).</summary>
        public const int Command = 4032;
    }
    /// <summary>Notifications: alerts through channels, pings, the heartbeat.</summary>
    public static class Notifications
    {
        /// <summary>A channel or ping receiver failed to take a delivery; it stays queued (<c>notification_failed</c>, once per outage).</summary>
        public const int Failed = 5000;

        /// <summary>A channel that failed took a delivery again (<c>notification_recovered</c>).</summary>
        public const int Recovered = 5001;

        /// <summary>A queued delivery was dropped: its channel or ping is no longer configured (<c>notification_dropped</c>).</summary>
        public const int Dropped = 5002;

        /// <summary>An alert its channel kept refusing was handed to the next channel of <c>Alerting:Channels</c> (<c>notification_handed_on</c>).</summary>
        public const int HandedOn = 5003;

        /// <summary>A delivery was made (<c>notification_sent</c>, debug).</summary>
        public const int Sent = 5004;

        /// <summary>A delivery could not be queued: the state directory refused it (<c>notification_unqueued</c>).</summary>
        public const int NotQueued = 5005;

        /// <summary>The heartbeat's ping failed (<c>heartbeat_failed</c>, once per outage).</summary>
        public const int HeartbeatFailed = 5010;

        /// <summary>The heartbeat's ping succeeds again (<c>heartbeat_recovered</c>).</summary>
        public const int HeartbeatRecovered = 5011;
    }
}
