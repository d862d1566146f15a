using Microsoft.Extensions.Options;
using OpsAgent.Core.Configuration;
using OpsAgent.Notifications.Alerting;

namespace OpsAgent.Notifications;

/// <summary>Validates <c>Alerting</c> and <c>Heartbeat</c> on their own; <see cref="AlertingChannelsCheck"/> checks the channel names against <c>Notifications</c>.</summary>
internal sealed class AlertingOptionsValidator : IValidateOptions<AlertingOptions>, IValidateOptions<HeartbeatOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new ValidationCollector();
        var path = AlertingOptions.SectionName;
        if (options.RepeatEvery < TimeSpan.Zero || (options.RepeatEvery > TimeSpan.Zero && options.RepeatEvery < TimeSpan.FromMinutes(1)))
        {
            errors.Add($"{path}:{nameof(options.RepeatEvery)}", "must be 0 (no reminders) or at least 1 minute");
        }

        if (options.MinLevel is not ("critical" or "warning"))
        {
            errors.Add($"{path}:{nameof(options.MinLevel)}", $"must be critical or warning (got '{ConfigErrorText.Printable(options.MinLevel ?? "", 50)}')");
        }

        if (options.Collapse < TimeSpan.Zero || options.Collapse > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{path}:{nameof(options.Collapse)}", "must be between 0 and 10 minutes");
        }

        if (options.FailoverAfter is < 1 or > 100)
        {
            errors.Add($"{path}:{nameof(options.FailoverAfter)}", "must be 1-100");
        }

        if (options.QuietHours is not null && !QuietHours.TryParse(options.QuietHours, out _, out _))
        {
            errors.Add($"{path}:{nameof(options.QuietHours)}", $"must be HH:mm-HH:mm, such as 22:00-07:00 (got '{ConfigErrorText.Printable(options.QuietHours, 50)}')");
        }

        for (var i = 0; i < options.Channels.Count; i++)
        {
            if (options.Channels.Skip(i + 1).Contains(options.Channels[i], StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{path}:{nameof(options.Channels)}:{i}", $"'{ConfigErrorText.Printable(options.Channels[i] ?? "", 50)}' is listed twice");
            }
        }

        return errors.ToResult();
    }

    public ValidateOptionsResult Validate(string? name, HeartbeatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new ValidationCollector();
        if (options.Ping is { } ping)
        {
            ping.Validate(HeartbeatOptions.SectionName, errors);
            if (options.Every < TimeSpan.FromSeconds(10) || options.Every > TimeSpan.FromDays(1))
            {
                errors.Add($"{HeartbeatOptions.SectionName}:{nameof(options.Every)}", "must be between 10 seconds and 1 day");
            }
        }

        return errors.ToResult();
    }
}
