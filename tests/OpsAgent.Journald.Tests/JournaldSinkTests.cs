using System.Net.Sockets;
using OpsAgent.Journald;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace OpsAgent.Journald.Tests;

public sealed class JournaldSinkTests
{
    private string _dir = null!;
    private Socket _server = null!;
    private string _socketPath = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("opsagent-journal-").FullName;
        _socketPath = Path.Combine(_dir, "socket");
        _server = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _server.Bind(new UnixDomainSocketEndPoint(_socketPath));
        _server.ReceiveTimeout = 10_000;
    }

    [TearDown]
    public void TearDown()
    {
        _server.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private Dictionary<string, string> Receive()
    {
        var buffer = new byte[512 * 1024];
        var n = _server.Receive(buffer);
        return JournalFields.Decode(buffer.AsSpan(0, n)).ToDictionary(f => f.Key, f => f.Value);
    }

    [Test]
    public void Emit_StructuredEvent_SendsFieldsJournaldUnderstands()
    {
        using (var logger = new LoggerConfiguration().MinimumLevel.Verbose()
                   .WriteTo.Sink(new JournaldSink(new JournaldSinkOptions { SocketPath = _socketPath })).CreateLogger())
        {
            logger.Warning("Backup {Job} failed: {Reason}", "sims-db", "exit_code_1");
        }

        var entry = Receive();

        Assert.That(entry["MESSAGE"], Is.EqualTo("Backup sims-db failed: exit_code_1"));
        Assert.That(entry["PRIORITY"], Is.EqualTo("4"));
        Assert.That(entry["SYSLOG_IDENTIFIER"], Is.EqualTo("opsagent"));
        Assert.That(entry["MESSAGE_TEMPLATE"], Is.EqualTo("Backup {Job} failed: {Reason}"));
        Assert.That(entry["OPSAGENT_JOB"], Is.EqualTo("sims-db"));
        Assert.That(entry["OPSAGENT_REASON"], Is.EqualTo("exit_code_1"));
    }

    [TestCase(LogEventLevel.Verbose, "7")]
    [TestCase(LogEventLevel.Debug, "7")]
    [TestCase(LogEventLevel.Information, "6")]
    [TestCase(LogEventLevel.Warning, "4")]
    [TestCase(LogEventLevel.Error, "3")]
    [TestCase(LogEventLevel.Fatal, "2")]
    public void Emit_EachLevel_MapsToSyslogPriority(LogEventLevel level, string priority)
    {
        using (var logger = new LoggerConfiguration().MinimumLevel.Verbose()
                   .WriteTo.Sink(new JournaldSink(new JournaldSinkOptions { SocketPath = _socketPath })).CreateLogger())
        {
            logger.Write(level, "level test");
        }

        Assert.That(Receive()["PRIORITY"], Is.EqualTo(priority));
    }

    [Test]
    public void Emit_SyslogPriorityProperty_OverridesTheLevelsPriority()
    {
        using (var logger = new LoggerConfiguration().MinimumLevel.Verbose()
                   .WriteTo.Sink(new JournaldSink(new JournaldSinkOptions { SocketPath = _socketPath })).CreateLogger())
        {
            logger.ForContext(JournaldSink.PriorityProperty, 5).Information("Probe {Probe}: unit stopped by an operator", "web");
        }

        var entry = Receive();

        Assert.That(entry["PRIORITY"], Is.EqualTo("5"), "notice");
        Assert.That(entry.Keys, Has.None.Contains("SYSLOG_PRIORITY"), "the override is not repeated as a field");
    }

    [Test]
    public void Emit_MultiLineValueOddNamesAndException_LengthPrefixedSanitisedAndIncluded()
    {
        var log = "Nov 23 02:00:01 backend[1]: Traceback\nNov 23 02:00:01 backend[1]: KeyError: 'mongo'\n";
        using (var logger = new LoggerConfiguration()
                   .WriteTo.Sink(new JournaldSink(new JournaldSinkOptions { SocketPath = _socketPath })).CreateLogger())
        {
            var ex = Assert.Throws<InvalidOperationException>(() => throw new InvalidOperationException("restart failed\nsecond line"));
            logger.ForContext("9bad-name.x", "v").ForContext("_hidden", "h").Error(ex, "Incident for {Probe}: {CapturedLog}", "backend", log);
        }

        var entry = Receive();

        Assert.That(entry["OPSAGENT_CAPTURED_LOG"], Is.EqualTo(log));
        Assert.That(entry["MESSAGE"], Does.Contain("KeyError: 'mongo'"));
        Assert.That(entry["OPSAGENT_BAD_NAME_X"], Is.EqualTo("v"));
        Assert.That(entry["OPSAGENT_HIDDEN"], Is.EqualTo("h"));
        Assert.That(entry["EXCEPTION"], Does.Contain("System.InvalidOperationException: restart failed\nsecond line"));
        Assert.That(entry.Keys, Has.All.Match("^[A-Z][A-Z0-9_]{0,63}$"));
    }

    [Test]
    public void Emit_Redactor_AppliedToEveryField()
    {
        using (var logger = new LoggerConfiguration()
                   .WriteTo.Sink(new JournaldSink(new JournaldSinkOptions { SocketPath = _socketPath, Redact = s => s.Replace("hunter2", "***", StringComparison.Ordinal) }))
                   .CreateLogger())
        {
            logger.Information("connecting with {Connection}", "Password=hunter2");
        }

        var entry = Receive();
        Assert.That(entry.Values, Has.None.Contains("hunter2"));
        Assert.That(entry["OPSAGENT_CONNECTION"], Is.EqualTo("Password=***"));
    }

    [Test]
    public void Emit_HugeMessage_TruncatedWithMarkerInsteadOfLost()
    {
        var huge = new string('x', 1_000_000);
        using (var logger = new LoggerConfiguration()
                   .WriteTo.Sink(new JournaldSink(new JournaldSinkOptions { SocketPath = _socketPath })).CreateLogger())
        {
            logger.Information("big {Payload}", huge);
        }

        var entry = Receive();
        Assert.That(entry["OPSAGENT_TRUNCATED"], Is.EqualTo("1"));
        Assert.That(entry["OPSAGENT_PAYLOAD"], Does.EndWith("bytes]"));
    }

    [Test]
    public void Emit_SocketMissing_FallsBackToConsoleWithPriorityPrefix()
    {
        var console = new StringWriter();
        var sink = new JournaldSink(new JournaldSinkOptions
        {
            SocketPath = Path.Combine(_dir, "no-such-socket"),
            Fallback = new ConsoleFallbackSink(console, systemdPrefixes: true),
        });
        using (var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger())
        {
            logger.Error("probe {Probe} failing", "backend");
        }

        Assert.That(sink.UsesJournal, Is.False);
        Assert.That(console.ToString(), Is.EqualTo("<3>probe backend failing" + Environment.NewLine));
    }

    [Test]
    public void Emit_JournaldNotReading_CallerNeverBlocks()
    {
        // Nobody reads the socket: the kernel queue fills, then the sink's own queue; Emit must keep returning.
        var sink = new JournaldSink(new JournaldSinkOptions { SocketPath = _socketPath, QueueCapacity = 100, SendTimeout = TimeSpan.FromMilliseconds(50) });
        using (var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger())
        {
            // Bounded: 200,000 entries of 2 kB can never all sit in a kernel queue nobody reads.
            for (var i = 0; i < 200_000 && sink.Dropped == 0; i++)
            {
                logger.Information("entry {Index} {Padding}", i, new string('p', 2000));
            }

            Assert.That(sink.Dropped, Is.GreaterThan(0), "entries beyond the queue are dropped and counted, not waited for");
        }
    }
}
