namespace OpsAgent.Core.Scheduling;

/// <summary>A job's last success as found outside the agent's memory.</summary>
/// <param name="LastSuccess">When it succeeded.</param>
/// <param name="Message">What shows it (for example the newest backup file).</param>
public sealed record JobHistory(DateTimeOffset LastSuccess, string Message);
