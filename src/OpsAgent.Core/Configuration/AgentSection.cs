using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace OpsAgent.Core.Configuration;

/// <summary>Binds <typeparamref name="TOptions"/> from <see cref="Path"/> and runs every <see cref="IValidateOptions{TOptions}"/>.</summary>
/// <typeparam name="TOptions">The sealed options type.</typeparam>
/// <param name="path">The section path, such as <c>OpsAgent:Backups</c>.</param>
/// <param name="validators">The validators registered for the type.</param>
/// <param name="kinds">The registered kinds (probe types, restart targets, engines) whose settings entries hold.</param>
public sealed class AgentSection<TOptions>(string path, IEnumerable<IValidateOptions<TOptions>> validators, IEnumerable<ConfigurationKind>? kinds = null) : IAgentSection
    where TOptions : class, new()
{
    /// <inheritdoc />
    public string Path { get; } = path;

    /// <inheritdoc />
    public Type OptionsType => typeof(TOptions);

    /// <inheritdoc />
    public object Load(IConfiguration root, ICollection<ConfigError> errors)
    {
        var bindErrors = new List<ConfigError>();
        TOptions options;
        try
        {
            options = StrictBinder.Bind<TOptions>(root.GetSection(Path), bindErrors, kinds);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever a value holds, a load reports it and never stops the daemon: the reload keeps the last good configuration.
            errors.Add(new ConfigError(Path, $"could not be read ({ex.GetType().Name}: {ex.Message})"));
            return new TOptions();
        }

        bindErrors.ForEach(errors.Add);
        // A value the binder refused was left at its default, so a validator's opinion of that path ("required", ...)
        // would contradict the binder's precise message: one message per path.
        var refused = bindErrors.Select(e => e.Path).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var validator in validators)
        {
            ValidateOptionsResult result;
            try
            {
                result = validator.Validate(Options.DefaultName, options);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                errors.Add(new ConfigError(Path, $"could not be validated ({validator.GetType().Name}: {ex.GetType().Name}: {ex.Message})"));
                continue;
            }

            if (result.Failed)
            {
                foreach (var error in (result.Failures ?? []).Select(ParseFailure).Where(e => !refused.Contains(e.Path)))
                {
                    errors.Add(error);
                }
            }
        }

        return options;
    }

    /// <summary>Validators report <c>path: message</c> strings (the <see cref="IValidateOptions{TOptions}"/> contract is strings).</summary>
    internal static ConfigError ParseFailure(string failure)
    {
        var idx = failure.IndexOf(": ", StringComparison.Ordinal);
        return idx > 0 && failure.StartsWith(OpsAgentOptions.SectionName, StringComparison.OrdinalIgnoreCase)
            ? new ConfigError(failure[..idx], failure[(idx + 2)..])
            : new ConfigError(OpsAgentOptions.SectionName, failure);
    }
}
