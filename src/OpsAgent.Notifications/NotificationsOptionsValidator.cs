using Microsoft.Extensions.Options;
using OpsAgent.Core.Configuration;
using OpsAgent.Notifications.Channels;

namespace OpsAgent.Notifications;

/// <summary>Validates the channels; each type validates its own settings.</summary>
internal sealed class NotificationsOptionsValidator(IEnumerable<ConfigurationKind> kinds) : IValidateOptions<NotificationsOptions>
{
    private readonly List<string> _types = [.. kinds.Where(k => k.EntryType == typeof(ChannelOptions)).Select(k => k.Name)];

    public ValidateOptionsResult Validate(string? name, NotificationsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new ValidationCollector();
        foreach (var (channel, o) in options.Channels)
        {
            var path = $"{NotificationsOptions.SectionName}:{channel}";
            if (!NameRules.IsValid(channel))
            {
                errors.Add(path, NameRules.Rule);
            }

            if (o.Settings is IChannelSettings settings)
            {
                settings.Validate(path, errors);
            }
            else
            {
                errors.Add($"{path}:{nameof(o.Type)}", ConfigurationKind.Unknown(o.Type, _types));
            }

            if (o.Timeout <= TimeSpan.Zero || o.Timeout > TimeSpan.FromMinutes(10))
            {
                errors.Add($"{path}:{nameof(o.Timeout)}", "must be between 1 ms and 10 minutes");
            }
        }

        return errors.ToResult();
    }
}
