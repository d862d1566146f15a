using System.Reflection;
using System.Text.RegularExpressions;
using OpsAgent.Core.Logging;

namespace OpsAgent.Tests.Documentation;

/// <summary>
/// <c>OPSAGENT_EVENT_ID</c> is what operators filter on: the registry (<see cref="EventIds"/>) holds every id once, every
/// <c>[LoggerMessage]</c> takes its id from it, and docs/journal-events.md lists the same ids under the same names, so a
/// renamed or repurposed id shows up as a docs diff and a removed one must go to the retired list.
/// </summary>
public sealed partial class EventIdsTests
{
    private static string JournalEventsDoc => File.ReadAllText(Path.Combine(ReferenceDocsTests.Repo, "docs", "journal-events.md"));

    private static List<(int Id, string Name, string Capability)> Registry()
        => [.. typeof(EventIds).GetNestedTypes()
            .SelectMany(group => group.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(f => f.IsLiteral && f.FieldType == typeof(int))
                .Select(f => ((int)f.GetRawConstantValue()!, f.Name, group.Name)))];

    /// <summary>The rows of the markdown table under <paramref name="heading"/> (up to the next heading).</summary>
    private static List<string[]> Table(string heading)
    {
        var doc = JournalEventsDoc;
        var start = doc.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), $"docs/journal-events.md has no '{heading}' section");
        var section = doc[(start + heading.Length + 2)..];
        var end = section.IndexOf("\n#", StringComparison.Ordinal);
        section = end < 0 ? section : section[..end];
        return [.. TableRow().Matches(section).Select(m => m.Groups[1].Value.Split('|').Select(c => c.Trim().Trim('`')).ToArray())];
    }

    [GeneratedRegex(@"^\| (\d+ \|.*)\|$", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [GeneratedRegex(@"EventId\s*=\s*(\d+)")]
    private static partial Regex LiteralEventId();

    [GeneratedRegex(@"\[LoggerMessage\(([^\]]*)\)\]")]
    private static partial Regex LoggerMessage();

    [Test]
    public void Registry_EveryId_UsedOnceAndNotByTheTests()
    {
        var registry = Registry();
        var testIds = Directory.EnumerateFiles(Path.Combine(ReferenceDocsTests.Repo, "tests"), "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => LiteralEventId().Matches(File.ReadAllText(f)).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)))
            .ToHashSet();

        Assert.That(registry, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(registry.GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => $"{e.Capability}.{e.Name}"))}"),
                Is.Empty, "ids given to more than one event");
            Assert.That(registry.Where(e => testIds.Contains(e.Id)).Select(e => $"{e.Id} {e.Capability}.{e.Name}"), Is.Empty, "ids the tests' own log messages also use");
        });
    }

    [Test]
    public void LoggerMessages_InSrc_TakeTheirIdFromTheRegistry()
    {
        var sources = ReferenceDocsTests.Sources().ToList();
        var literals = sources.SelectMany(s => LiteralEventId().Matches(s.Text).Select(m => $"{Path.GetRelativePath(ReferenceDocsTests.Repo, s.File)}: {m.Value}"));
        var withoutRegistryId = sources.SelectMany(s => LoggerMessage().Matches(s.Text)
            .Where(m => !m.Groups[1].Value.Contains("EventId = EventIds.", StringComparison.Ordinal))
            .Select(m => $"{Path.GetRelativePath(ReferenceDocsTests.Repo, s.File)}: {m.Value}"));

        Assert.That(sources.Sum(s => LoggerMessage().Count(s.Text)), Is.GreaterThan(0));
        Assert.Multiple(() =>
        {
            Assert.That(literals, Is.Empty, "event ids written as numbers instead of EventIds constants");
            Assert.That(withoutRegistryId, Is.Empty, "[LoggerMessage] without an EventIds id");
        });
    }

    [Test]
    public void JournalEventsDoc_EventIdsTable_IsTheRegistryIdByIdAndNameByName()
    {
        var documented = Table("## Event ids").Select(r => $"{r[0]} {r[1]} {r[2]}");
        var registry = Registry().OrderBy(e => e.Id).Select(e => $"{e.Id} {e.Name} {e.Capability}");

        Assert.That(documented, Is.EqualTo(registry), "the 'Event ids' table of docs/journal-events.md (id | name | capability) differs from OpsAgent.Core.Logging.EventIds");
    }

    [Test]
    public void JournalEventsDoc_RetiredIds_NotInTheRegistry()
    {
        var retired = Table("### Retired ids").Select(r => int.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();

        Assert.That(retired, Does.Contain(1205), "1205 (the scheduler's reconcile failure) was removed and stays retired");
        Assert.That(Registry().Where(e => retired.Contains(e.Id)).Select(e => $"{e.Id} {e.Capability}.{e.Name}"), Is.Empty, "retired ids in use again");
    }
}
