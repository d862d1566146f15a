using OpsAgent.Core.Systemd;

namespace OpsAgent.Core.Tests.Systemd;

public sealed class ServiceSandboxTests
{
    // As `systemctl show opsagent -p LoadState,ReadWritePaths,ProtectSystem,ProtectHome` prints it for the shipped unit (Debian 12).
    private const string ShippedUnit = "LoadState=loaded\nProtectSystem=strict\nProtectHome=read-only\nReadWritePaths=-/var/backups -/etc/letsencrypt\n";

    private static readonly Func<string, bool> AllExist = _ => true;

    [Test]
    public void Parse_ShippedUnitOutput_ReadsTheThreeSettings()
    {
        var sandbox = ServiceSandbox.Parse(ShippedUnit);

        Assert.That(sandbox, Is.Not.Null);
        Assert.That(sandbox!.ProtectSystem, Is.EqualTo("strict"));
        Assert.That(sandbox.ProtectHome, Is.EqualTo("read-only"));
        Assert.That(sandbox.ReadWritePaths, Is.EqualTo(new[] { "-/var/backups", "-/etc/letsencrypt" }));
    }

    [Test]
    public void Parse_UnitNotInstalled_Null()
        => Assert.That(ServiceSandbox.Parse("LoadState=not-found\nProtectSystem=no\nProtectHome=no\nReadWritePaths=\n"), Is.Null);

    [TestCase("/var/backups/sims")]
    [TestCase("/var/backups")]
    [TestCase("/etc/letsencrypt/live/x")]
    public void WhyNotWritable_UnderAReadWritePath_Null(string directory)
        => Assert.That(ServiceSandbox.Parse(ShippedUnit)!.WhyNotWritable(directory, "opsagent", AllExist), Is.Null);

    [Test]
    public void WhyNotWritable_SrvUnderStrict_NamesTheMissingDropInLine()
    {
        var problem = ServiceSandbox.Parse(ShippedUnit)!.WhyNotWritable("/srv/backups/", "opsagent", AllExist);

        Assert.That(problem, Does.Contain("(ProtectSystem=strict)").And.Contain("\"[Service]\"").And.Contain("\"ReadWritePaths=/srv/backups\"").And.Contain("systemctl edit opsagent"));
    }

    [Test]
    public void WhyNotWritable_HomeUnderProtectHomeReadOnly_NamesProtectHome()
        => Assert.That(ServiceSandbox.Parse(ShippedUnit)!.WhyNotWritable("/home/tracehub/production/backups", "opsagent", AllExist),
            Does.Contain("(ProtectHome=read-only)").And.Contain("ReadWritePaths=/home/tracehub/production/backups"));

    [Test]
    public void WhyNotWritable_PrefixThatIsNotAParent_NotCovered()
        => Assert.That(ServiceSandbox.Parse(ShippedUnit)!.WhyNotWritable("/var/backups-old", "opsagent", AllExist), Does.Contain("ReadWritePaths=/var/backups-old"));

    [Test]
    public void WhyNotWritable_OptionalPathThatDoesNotExist_SaysToCreateItAndRestart()
    {
        var problem = ServiceSandbox.Parse(ShippedUnit)!.WhyNotWritable("/var/backups/sims", "opsagent", p => p != "/var/backups");

        Assert.That(problem, Does.Contain("ReadWritePaths=-/var/backups is optional").And.Contain("create /var/backups, then systemctl restart opsagent"));
    }

    [TestCase("full", "/etc/app", true)]
    [TestCase("full", "/srv/backups", false)]
    [TestCase("yes", "/usr/local/backups", true)]
    [TestCase("yes", "/etc/app", false)]
    [TestCase("no", "/usr/backups", false)]
    [TestCase("strict", "/dev/shm/x", false)]
    public void WhyNotWritable_ProtectSystemLevels_ReadOnlyWhereSystemdMakesIt(string level, string directory, bool readOnly)
    {
        var sandbox = new ServiceSandbox(level, "no", []);

        Assert.That(sandbox.WhyNotWritable(directory, "opsagent", AllExist), readOnly ? Does.Contain($"ProtectSystem={level}") : Is.Null);
    }
}
