namespace OpsAgent.Notifications.Alerting;

/// <summary>What an event does to the problem it is about.</summary>
internal enum AlertEffect
{
    /// <summary>The subject is in trouble (at the rule's level).</summary>
    Problem,

    /// <summary>The subject is fine again.</summary>
    Resolve,

    /// <summary>Worth telling once, no state (a restart issued, a restart that healed).</summary>
    Notice,
}

/// <summary>One line of <see cref="AlertRules"/>: an event, the subject field it names, and what it means.</summary>
/// <param name="Kind">The subject's kind in messages and keys (<c>probe</c>, <c>backup</c>, <c>certificate</c>).</param>
/// <param name="SubjectField">The event field naming the subject (<c>Probe</c>), or null for the one subject of its kind.</param>
/// <param name="Effect">What it does.</param>
/// <param name="Critical">For a problem or notice: critical (else warning).</param>
/// <param name="Says">The words of the message: <c>is failing</c>, <c>recovered</c>.</param>
/// <param name="AlsoResolves">Kinds of the same subject that this also ends (a probe's recovery ends its suppressed restarts).</param>
internal sealed record AlertRule(string Kind, string? SubjectField, AlertEffect Effect, bool Critical, string Says, params string[] AlsoResolves);
