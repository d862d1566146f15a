namespace OpsAgent.Backups.Copies;

/// <summary>One remote backup as <c>backup list JOB --target T --json</c> prints it.</summary>
internal sealed record RemoteListEntry(string File, string Object, DateTimeOffset Time, long SizeBytes, bool Complete, bool Encrypted, string? StorageClass, bool Keep, IReadOnlyList<string> Rules);
