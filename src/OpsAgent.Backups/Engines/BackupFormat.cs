namespace OpsAgent.Backups.Engines;

/// <summary>A dump format an engine writes and the data file extension that names it.</summary>
/// <param name="Name">The format's name, recorded in the <c>.json</c> (<c>custom</c>, <c>plain</c>, <c>archive</c>).</param>
/// <param name="Extension">The data file's extension before the compression suffix: one lower-case word after a dot (<c>.dump</c>).</param>
public sealed record BackupFormat(string Name, string Extension);
