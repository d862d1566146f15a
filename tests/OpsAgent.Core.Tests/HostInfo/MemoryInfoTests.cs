using OpsAgent.Core.HostInfo;

namespace OpsAgent.Core.Tests.HostInfo;

/// <summary>The memory figures the memory probe reads: the host's against free(1), and a cgroup in both layouts.</summary>
[NonParallelizable]
public sealed class MemoryInfoTests
{
    private string _root = null!;
    private string _previous = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("opsagent-cgroup-").FullName;
        _previous = MemoryInfo.CgroupRoot;
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
    public void ReadHost_ThisHost_TotalAsFreeShowsIt()
    {
        if (!File.Exists("/proc/meminfo"))
        {
            Assert.Ignore("no /proc/meminfo on this system");
        }

        var host = MemoryInfo.ReadHost();
        var free = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("free", "-b") { RedirectStandardOutput = true })!;
        var line = free.StandardOutput.ReadToEnd().Split('\n').First(l => l.StartsWith("Mem:", StringComparison.Ordinal));
        free.WaitForExit();
        var total = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);

        Assert.That(host, Is.Not.Null);
        Assert.That(host!.Value.Total, Is.EqualTo(total), "MemTotal, as free -b's total");
        Assert.That(host.Value.Available, Is.InRange(0, total));
    }

    [Test]
    public void ReadCgroup_V2WithAndWithoutLimit_CurrentAndMax()
    {
        MemoryInfo.CgroupRoot = _root;
        Write("system.slice/ujmp.service/memory.current", "734003200\n");
        Write("system.slice/ujmp.service/memory.max", "1073741824\n");
        Write("system.slice/free.service/memory.current", "1000\n");
        Write("system.slice/free.service/memory.max", "max\n");

        Assert.Multiple(() =>
        {
            Assert.That(MemoryInfo.ReadCgroup("/system.slice/ujmp.service"), Is.EqualTo(((long, long?)?)(734003200L, 1073741824L)));
            Assert.That(MemoryInfo.ReadCgroup("/system.slice/free.service"), Is.EqualTo(((long, long?)?)(1000L, null)), "max: no limit");
            Assert.That(MemoryInfo.ReadCgroup("/system.slice/none.service"), Is.Null);
            Assert.That(MemoryInfo.ReadCgroup("/system.slice/../../etc"), Is.Null, "never outside the cgroup root");
        });
    }

    [Test]
    public void ReadCgroup_V1_UsageAndTheHugeNoLimitValue()
    {
        MemoryInfo.CgroupRoot = _root;
        Write("memory/system.slice/ujmp.service/memory.usage_in_bytes", "5000\n");
        Write("memory/system.slice/ujmp.service/memory.limit_in_bytes", "9223372036854771712\n");

        Assert.That(MemoryInfo.ReadCgroup("/system.slice/ujmp.service"), Is.EqualTo(((long, long?)?)(5000L, null)));
    }
}
