using System.Diagnostics;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Backups;

/// <summary>
/// <c>backup run/list/verify/restore</c> on a files job through the real executable, including a file the agent may not
/// read: the process runs as root without CAP_DAC_OVERRIDE (setpriv), as an agent meets a file it has no right to.
/// </summary>
[TestFixture]
[Platform("Linux")]
public sealed class FilesBackupCliTests
{
    private DirectoryInfo _dir = null!;

    private string Media => Path.Combine(_dir.FullName, "media");

    [SetUp]
    public void CreateTree()
    {
        _dir = Directory.CreateTempSubdirectory("opsagent-files-cli-");
        Directory.CreateDirectory(Path.Combine(Media, "uploads"));
        for (var i = 0; i < 50; i++)
        {
            File.WriteAllText(Path.Combine(Media, "uploads", $"photo{i}.jpg"), new string('x', 1000 + i));
        }

        File.WriteAllText(Path.Combine(Media, "uploads", "private.jpg"), "not for the agent");
        Sh($"chown 1234:1234 '{Media}/uploads/private.jpg' && chmod 600 '{Media}/uploads/private.jpg'");
    }

    [TearDown]
    public void RemoveTree() => _dir.Delete(recursive: true);

    private string WriteConfig(string extra = "")
    {
        var path = Path.Combine(_dir.FullName, "appsettings.json");
        File.WriteAllText(path, $$"""
            {
              "OpsAgent": {
                "StateDirectory": "{{Path.Combine(_dir.FullName, "state")}}",
                "Control": { "Socket": "" },
                "Logging": { "Journald": { "SocketPath": "{{Path.Combine(_dir.FullName, "no-journal.sock")}}" } },
                "Backups": {
                  "media": { "Engine": "files", "Schedule": "30 2 * * *", "CatchUp": false, "Paths": [ "{{Media}}" ],
                             "Directory": "{{Path.Combine(_dir.FullName, "backups")}}", "Retention": { "KeepDaily": 30 }{{extra}} }
                }
              }
            }
            """);
        return path;
    }

    /// <summary>The executable as root without the capabilities that let root read any file.</summary>
    private static async Task<CliResult> RunWithoutDacOverrideAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--bounding-set=-dac_override,-dac_read_search", "dotnet", Path.Combine(AppContext.BaseDirectory, "opsagent.dll"), .. args])
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    private static string Sh(string script)
    {
        using var sh = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = sh.StandardOutput.ReadToEnd() + sh.StandardError.ReadToEnd();
        sh.WaitForExit();
        Assert.That(sh.ExitCode, Is.Zero, output);
        return output;
    }

    [Test]
    public async Task BackupRun_UnreadableFile_FailsPermissionDeniedNamingItAndLeavesNothing()
    {
        var config = WriteConfig();

        var run = await RunWithoutDacOverrideAsync("backup", "run", "media", "--config", config);

        Assert.That(run.Exit, Is.Not.Zero, run.All);
        Assert.That(run.Out, Does.Contain("permission_denied").And.Contain("private.jpg").And.Contain("IgnoreUnreadable"));
        Assert.That(Directory.Exists(Path.Combine(_dir.FullName, "backups")) ? Directory.GetFiles(Path.Combine(_dir.FullName, "backups")) : [], Is.Empty, "no partial, nothing counted");
    }

    [Test]
    public async Task BackupRun_UnreadableFileIgnored_SucceedsListsItAndRestoresTheRest()
    {
        var config = WriteConfig(""", "IgnoreUnreadable": true""");

        var run = await RunWithoutDacOverrideAsync("backup", "run", "media", "--config", config);

        Assert.That(run.Exit, Is.Zero, run.All);
        var json = Directory.GetFiles(Path.Combine(_dir.FullName, "backups"), "*.tar.zst.json").Single();
        var text = await File.ReadAllTextAsync(json);
        Assert.That(text, Does.Contain("\"unreadableCount\": 1").And.Contain("private.jpg"));
        var list = await AgentProcess.RunAsync("backup", "list", "media", "--config", config);
        Assert.That(list.Out, Does.Contain(Path.GetFileName(json)[..^5]));
        var verify = await AgentProcess.RunAsync("backup", "verify", json[..^5]);
        Assert.That(verify.Exit, Is.Zero, verify.All);
        Assert.That(verify.Out, Does.Contain("tar entries and bytes").And.Contain("tar -t"));

        var into = Path.Combine(_dir.FullName, "restored");
        var restore = await AgentProcess.RunAsync("backup", "restore", "media", "--to-directory", into, "--config", config);

        Assert.That(restore.Exit, Is.Zero, restore.All);
        Assert.That(restore.Out, Does.Contain($"into {into}"));
        var copy = Path.Combine(into, Media.TrimStart('/'));
        Sh($"diff -r -x private.jpg '{Media}' '{copy}'");
        Assert.That(File.Exists(Path.Combine(copy, "uploads", "private.jpg")), Is.False);
    }

    [Test]
    public async Task BackupRestore_OverTheOriginal_RefusedWithoutInPlaceAndYesThenRestoresWhatWasDeleted()
    {
        var config = WriteConfig();
        var run = await AgentProcess.RunAsync("backup", "run", "media", "--config", config);
        Assert.That(run.Exit, Is.Zero, run.All);
        File.Delete(Path.Combine(Media, "uploads", "photo7.jpg"));

        var plain = await AgentProcess.RunAsync("backup", "restore", "media", "--yes", "--config", config);
        var noYes = await AgentProcess.RunAsync("backup", "restore", "media", "--in-place", "--config", config);
        var overOriginal = await AgentProcess.RunAsync("backup", "restore", "media", "--to-directory", "/", "--config", config);
        var notEmpty = await AgentProcess.RunAsync("backup", "restore", "media", "--to-directory", Path.Combine(Media, "uploads"), "--config", config);

        Assert.That(plain.Out, Does.Contain("restore failed (wrong_target)").And.Contain("--in-place --yes"), plain.All);
        Assert.That(noYes.Out, Does.Contain("refusing to restore over the original paths"), noYes.All);
        Assert.That(overOriginal.Out, Does.Contain("restore failed (wrong_target)").And.Contain("would write over"), overOriginal.All);
        Assert.That(notEmpty.Out, Does.Contain("restore failed"), notEmpty.All);
        Assert.That(File.Exists(Path.Combine(Media, "uploads", "photo7.jpg")), Is.False, "nothing was written by a refused restore");

        var inPlace = await AgentProcess.RunAsync("backup", "restore", "media", "--in-place", "--yes", "--config", config);

        Assert.That(inPlace.Exit, Is.Zero, inPlace.All);
        Assert.That(File.ReadAllText(Path.Combine(Media, "uploads", "photo7.jpg")), Has.Length.EqualTo(1007));
    }
}
