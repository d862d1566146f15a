using Microsoft.Extensions.Options;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Backups.Copies;

/// <summary>Validates <see cref="CopyTargetsOptions"/>, reporting every problem with its configuration path.</summary>
internal sealed class CopyTargetsOptionsValidator(CopyTargetTypes types) : IValidateOptions<CopyTargetsOptions>
{
    public ValidateOptionsResult Validate(string? name, CopyTargetsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new ValidationCollector();
        foreach (var (target, o) in options.Targets)
        {
            var path = $"{CopyTargetsOptions.SectionName}:{target}";
            if (!NameRules.IsValid(target))
            {
                errors.Add(path, NameRules.Rule);
            }

            var registration = types.Find(o.Type);
            if (registration is null)
            {
                errors.Add($"{path}:{nameof(CopyTargetOptions.Type)}", ConfigurationKind.Unknown(o.Type, types.Names));
            }
            else
            {
                o.Type = registration.Name;
            }

            if (o.MaxBytesPerSecond < 0)
            {
                errors.Add($"{path}:{nameof(CopyTargetOptions.MaxBytesPerSecond)}", "must not be negative (0 means unlimited)");
            }

            if (o.Timeout <= TimeSpan.Zero || o.Timeout > TimeSpan.FromDays(7))
            {
                errors.Add($"{path}:{nameof(CopyTargetOptions.Timeout)}", "must be more than 0 and at most 7 days (one file's transfer)");
            }

            (o.Settings as ICopyTargetSettings)?.Validate(path, errors);
        }

        return errors.ToResult();
    }
}
