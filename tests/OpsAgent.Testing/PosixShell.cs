using System.Diagnostics;
using NUnit.Framework;

namespace OpsAgent.Testing;

/// <summary>The real <c>/bin/sh</c>, for parsers whose expected results are whatever the shell they imitate makes of the same text.</summary>
public static class PosixShell
{
    /// <summary>Runs <paramref name="script"/> with <c>sh -c</c> in <paramref name="directory"/> and returns its standard output.</summary>
    public static string Run(string script, string directory)
    {
        if (!File.Exists("/bin/sh"))
        {
            Assert.Ignore("/bin/sh is not here: the expected values come from a POSIX shell");
        }

        var start = new ProcessStartInfo("/bin/sh", ["-c", script]) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var sh = Process.Start(start)!;
        var stdout = sh.StandardOutput.ReadToEndAsync();
        var stderr = sh.StandardError.ReadToEnd();
        sh.WaitForExit();
        Assert.That(sh.ExitCode, Is.Zero, $"sh -c {script}: {stderr}");
        return stdout.Result;
    }
}
