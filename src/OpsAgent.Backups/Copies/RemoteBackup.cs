namespace OpsAgent.Backups.Copies;

/// <summary>One backup on a target: its data object with the sidecars that make it count.</summary>
/// <param name="Name">The local data file's name it is a copy of (<c>db_20261202T020000Z.dump.zst</c>).</param>
/// <param name="DataName">The data object's name (<see cref="Name"/>, or <see cref="Name"/><c>.age</c> when encrypted).</param>
/// <param name="Time">The UTC time in the name.</param>
/// <param name="Size">The data object's size.</param>
/// <param name="Complete">True when its <c>.json</c> and <c>.sha256</c> (written last) are there: only then is it a backup.</param>
/// <param name="Files">Every object that belongs to it (data, companions, sidecars), for deletion.</param>
/// <param name="StorageClass">The data object's storage class, where the target has them.</param>
/// <param name="Modified">When the target says its files were last written (the newest of them), where it says.</param>
internal sealed record RemoteBackup(string Name, string DataName, DateTimeOffset Time, long Size, bool Complete, IReadOnlyList<string> Files, string? StorageClass, DateTimeOffset? Modified = null)
{
    /// <summary>True when the data object is an <c>age</c> encryption.</summary>
    public bool Encrypted => DataName.EndsWith(AgeEncryption.Suffix, StringComparison.Ordinal);
}
