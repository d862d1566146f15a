using OpsAgent.Core.HostInfo;

namespace OpsAgent.Core.Tests.HostInfo;

/// <summary>The CPU counters the cpu probe reads: the host's, and a cgroup's in both layouts with and without a quota.</summary>
[NonParallelizable]
public sealed class CpuInfoTests
{
    private string _root = null!;
    private string _previous = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("opsagent-cpu-").FullName;
        _previous = MemoryInfo.CgroupRoot;
        MemoryInfo.CgroupRoot = _root;
    }

    [TearDown]
    public void TearDown()
    {
        MemoryInfo.CgroupRoot = _previous;
        Directory.Delete(_root, recursive: true);
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Test]
    public void ReadHost_ThisHost_BusyWithinTotalAndEveryCpuCounted()
    {
        if (!File.Exists("/proc/stat"))
        {
            Assert.Ignore("no /proc/stat on this system");
        }

        var host = CpuInfo.ReadHost();

        Assert.That(host, Is.Not.Null);
        Assert.That(host!.Value.Busy, Is.LessThanOrEqualTo(host.Value.Total));
        Assert.That(host.Value.Cpus, Is.EqualTo(File.ReadLines("/proc/stat").Count(l => l.StartsWith("cpu", StringComparison.Ordinal) && char.IsAsciiDigit(l[3]))));
    }

    [Test]
    public void ReadCgroup_V2QuotaAndNoQuota_UsageAndCpus()
    {
        Write("system.slice/burn.service/cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n");
        Write("system.slice/burn.service/cpu.max", "50000 100000\n");
        Write("system.slice/free.service/cpu.stat", "usage_usec 10\n");
        Write("system.slice/free.service/cpu.max", "max 100000\n");

        Assert.Multiple(() =>
        {
            Assert.That(CpuInfo.ReadCgroup("/system.slice/burn.service"), Is.EqualTo(((ulong, double?)?)(2500000UL, 0.5)), "CPUQuota=50%");
            Assert.That(CpuInfo.ReadCgroup("/system.slice/free.service"), Is.EqualTo(((ulong, double?)?)(10UL, null)));
            Assert.That(CpuInfo.ReadCgroup("/system.slice/../x"), Is.Null);
        });
    }

    [Test]
    public void ReadCgroup_V1Cpuacct_NanosecondsAsMicroseconds()
    {
        Write("cpu,cpuacct/system.slice/burn.service/cpuacct.usage", "7000000000\n");
        Write("cpu,cpuacct/system.slice/burn.service/cpu.cfs_quota_us", "200000\n");
        Write("cpu,cpuacct/system.slice/burn.service/cpu.cfs_period_us", "100000\n");

        Assert.That(CpuInfo.ReadCgroup("/system.slice/burn.service"), Is.EqualTo(((ulong, double?)?)(7000000UL, 2.0)));
    }
}
