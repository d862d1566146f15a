using System.Text;
using OpsAgent.Journald;

namespace OpsAgent.Journald.Tests;

public sealed class JournalFieldsTests
{
    [TestCase("Job", "JOB")]
    [TestCase("SourceContext", "SOURCE_CONTEXT")]
    [TestCase("EventId", "EVENT_ID")]
    [TestCase("HTTPStatus", "HTTP_STATUS")]
    [TestCase("probe-name.v2", "PROBE_NAME_V2")]
    [TestCase("_private", "PRIVATE")]
    [TestCase("9lives", "LIVES")]
    [TestCase("été", "T")]
    [TestCase("__", null)]
    public void SanitizeName_VariousNames_MapsToJournaldAlphabet(string input, string? expected)
        => Assert.That(JournalFields.SanitizeName(input), Is.EqualTo(expected));

    [Test]
    public void SanitizeName_LongName_CutAt64()
    {
        var name = JournalFields.SanitizeName(new string('a', 100));
        Assert.That(name, Has.Length.EqualTo(64));
    }

    [Test]
    public void Encode_SingleLineAndMultiLine_RoundTripsThroughDecode()
    {
        var fields = new List<KeyValuePair<string, byte[]>>
        {
            new("MESSAGE", "hello"u8.ToArray()),
            new("OPSAGENT_LOG", "line1\nline2\n"u8.ToArray()),
            new("EMPTY", []),
        };

        var datagram = JournalFields.Encode(fields);

        Assert.That(Encoding.UTF8.GetString(datagram), Does.StartWith("MESSAGE=hello\nOPSAGENT_LOG\n"));
        Assert.That(JournalFields.Decode(datagram), Is.EqualTo(new[]
        {
            new KeyValuePair<string, string>("MESSAGE", "hello"),
            new KeyValuePair<string, string>("OPSAGENT_LOG", "line1\nline2\n"),
            new KeyValuePair<string, string>("EMPTY", ""),
        }));
    }

    [Test]
    public void Encode_MultiLineValue_UsesLittleEndianLengthPrefix()
    {
        var datagram = JournalFields.Encode([new("X", "a\nb"u8.ToArray())]);
        Assert.That(datagram, Is.EqualTo(new byte[] { (byte)'X', (byte)'\n', 3, 0, 0, 0, 0, 0, 0, 0, (byte)'a', (byte)'\n', (byte)'b', (byte)'\n' }));
    }

    [Test]
    public void Truncate_OversizedEntry_FitsLimitAndSaysHowMuchWasCut()
    {
        var big = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("é journal line\n", 20_000)));
        var fields = new List<KeyValuePair<string, byte[]>> { new("MESSAGE", "incident"u8.ToArray()), new("OPSAGENT_LOG", big) };

        var cut = JournalFields.Truncate(fields, 50_000);
        var decoded = JournalFields.Decode(JournalFields.Encode(cut)).ToDictionary(f => f.Key, f => f.Value);

        Assert.That(JournalFields.EncodedSize(cut), Is.LessThanOrEqualTo(50_000));
        Assert.That(decoded["MESSAGE"], Is.EqualTo("incident"));
        Assert.That(decoded["OPSAGENT_LOG"], Does.Match(@"…\[truncated \d+ bytes\]$"));
        Assert.That(decoded["OPSAGENT_TRUNCATED"], Is.EqualTo("1"));
        Assert.That(decoded["OPSAGENT_LOG"], Does.Not.Contain("\uFFFD"), "a cut must not split a UTF-8 sequence");
    }

    [Test]
    public void Decode_LengthBeyondDatagram_Throws()
        => Assert.Throws<FormatException>(() => JournalFields.Decode(new byte[] { (byte)'X', (byte)'\n', 200, 0, 0, 0, 0, 0, 0, 0, (byte)'a', (byte)'\n' }));
}
