using Microsoft.Extensions.DependencyInjection;
using OpsAgent.Backups.Engines;

namespace OpsAgent.Backups.Tests.Support;

/// <summary>The content check the shipped engines give a file by its name, as <c>backup verify FILE</c> finds it.</summary>
internal static class ContentChecks
{
    private static readonly BackupEngines Engines = new ServiceCollection().AddBuiltInBackupEngines().BuildServiceProvider().GetRequiredService<BackupEngines>();

    public static IDumpContentCheck For(string path, VerifyMode depth = VerifyMode.Full)
        => Engines.ForFile(path) is { } found ? found.Registration.Engine.CreateContentCheck(found.Format.Name, depth)
            : throw new ArgumentException($"no shipped engine writes {Path.GetFileName(path)}", nameof(path));
}
