using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OpsAgent.Backups.Copies.Sftp;

/// <summary>
/// An OpenSSH <c>known_hosts</c> file (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): plain and hashed (<c>|1|salt|hash</c>)
/// names, patterns with <c>*</c>, <c>?</c> and <c>!</c>, <c>[host]:port</c>, and the <c>@revoked</c> and
/// <c>@cert-authority</c> markers. SSH.NET has no reader of its own (it leaves the decision to the HostKeyReceived event).
/// </summary>
/// <remarks>Certificate authorities are not implemented: their lines are skipped, so a host known only through one is unknown here.</remarks>
internal sealed class KnownHosts
{
    private readonly List<Entry> _entries;

    private KnownHosts(List<Entry> entries) => _entries = entries;

    /// <summary>The outcome of checking a server's key.</summary>
    public enum Verdict
    {
        /// <summary>A line for the host holds this key.</summary>
        Trusted,

        /// <summary>No line names the host.</summary>
        Unknown,

        /// <summary>Lines name the host, none with this key.</summary>
        Mismatch,

        /// <summary>The key is marked <c>@revoked</c>.</summary>
        Revoked,
    }

    /// <summary>One key line.</summary>
    /// <param name="Line">Its line number (from 1), for messages.</param>
    /// <param name="Marker">Empty, <c>@revoked</c> or <c>@cert-authority</c>.</param>
    /// <param name="Hosts">The host names or patterns field, as written.</param>
    /// <param name="KeyType">The key type (<c>ssh-ed25519</c>).</param>
    /// <param name="Key">The key blob (the base64 field, decoded).</param>
    public sealed record Entry(int Line, string Marker, string Hosts, string KeyType, byte[] Key);

    /// <summary>The name a server is listed under: <c>host</c> on port 22, <c>[host]:port</c> on any other; lower case, as ssh hashes it.</summary>
    public static string NameOf(string host, int port)
    {
        ArgumentNullException.ThrowIfNull(host);
        var lower = host.ToLowerInvariant();
        return port == 22 ? lower : $"[{lower}]:{port}";
    }

    /// <summary>Reads the file's text; lines it cannot read (comments, damaged ones) are skipped, never thrown on.</summary>
    public static KnownHosts Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<Entry>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var fields = raw.Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0].StartsWith('#'))
            {
                continue;
            }

            var marker = fields[0].StartsWith('@') ? fields[0] : string.Empty;
            var at = marker.Length == 0 ? 0 : 1;
            if (fields.Length < at + 3 || marker is not ("" or "@revoked" or "@cert-authority"))
            {
                continue;
            }

            var key = new byte[fields[at + 2].Length];
            if (!Convert.TryFromBase64String(fields[at + 2], key, out var length))
            {
                continue;
            }

            entries.Add(new Entry(number, marker, fields[at], fields[at + 1], key[..length]));
        }

        return new KnownHosts(entries);
    }

    /// <summary>The plain (trusted) key lines naming the host.</summary>
    public IReadOnlyList<Entry> KeysFor(string host, int port)
    {
        var name = NameOf(host, port);
        return [.. _entries.Where(e => e.Marker.Length == 0 && Matches(e.Hosts, name))];
    }

    /// <summary>Checks the key blob a server presented; <paramref name="lines"/> are the lines that decided.</summary>
    public Verdict Check(string host, int port, byte[] key, out IReadOnlyList<int> lines)
    {
        ArgumentNullException.ThrowIfNull(key);
        var name = NameOf(host, port);
        // A revoked key is refused whatever names it is revoked for, as ssh does.
        var revoked = _entries.Where(e => e.Marker == "@revoked" && e.Key.AsSpan().SequenceEqual(key)).Select(e => e.Line).ToList();
        if (revoked.Count > 0)
        {
            lines = revoked;
            return Verdict.Revoked;
        }

        var known = KeysFor(host, port);
        var match = known.Where(e => e.Key.AsSpan().SequenceEqual(key)).Select(e => e.Line).ToList();
        if (match.Count > 0)
        {
            lines = match;
            return Verdict.Trusted;
        }

        lines = [.. known.Select(e => e.Line)];
        return known.Count == 0 ? Verdict.Unknown : Verdict.Mismatch;
    }

    /// <summary>The key type inside a key blob (its first SSH string), or null when the blob is not one.</summary>
    public static string? TypeOf(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 4)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(blob);
        return length is > 0 and < 64 && blob.Length >= 4 + length ? Encoding.ASCII.GetString(blob.Slice(4, (int)length)) : null;
    }

    /// <summary>The key's type as <c>ssh-keygen -lf</c> prints it (<c>ED25519</c>).</summary>
    public static string Label(string? keyType) => keyType switch
    {
        "ssh-ed25519" => "ED25519",
        "ssh-rsa" => "RSA",
        "ssh-dss" => "DSA",
        { } t when t.StartsWith("ecdsa-sha2-", StringComparison.Ordinal) => "ECDSA",
        { } t when t.StartsWith("sk-ssh-ed25519", StringComparison.Ordinal) => "ED25519-SK",
        { } t when t.StartsWith("sk-ecdsa", StringComparison.Ordinal) => "ECDSA-SK",
        { } t => t.ToUpperInvariant(),
        null => "unknown type",
    };

    /// <summary>The <c>ssh-keyscan</c> command that appends the server's key of <paramref name="keyType"/> (all types when null).</summary>
    public static string KeyscanCommand(string host, int port, string? keyType, string file)
    {
        var type = keyType switch
        {
            "ssh-ed25519" => " -t ed25519",
            "ssh-rsa" => " -t rsa",
            { } t when t.StartsWith("ecdsa-sha2-", StringComparison.Ordinal) => " -t ecdsa",
            _ => string.Empty,
        };
        return $"ssh-keyscan{(port == 22 ? string.Empty : $" -p {port}")}{type} {host} >> {file}";
    }

    /// <summary>Whether a line's hosts field names <paramref name="name"/>: one hashed name, or patterns of which one matches and no negated one does.</summary>
    internal static bool Matches(string hosts, string name)
    {
        if (hosts.StartsWith("|1|", StringComparison.Ordinal))
        {
            var parts = hosts.Split('|');
            if (parts.Length != 4)
            {
                return false;
            }

            try
            {
                var salt = Convert.FromBase64String(parts[2]);
                var hash = Convert.FromBase64String(parts[3]);
#pragma warning disable CA5350 // The hashed known_hosts format is HMAC-SHA1 by definition; it hides names, it protects nothing else.
                return CryptographicOperations.FixedTimeEquals(HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(name)), hash);
#pragma warning restore CA5350
            }
            catch (FormatException)
            {
                return false;
            }
        }

        var matched = false;
        foreach (var pattern in hosts.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (pattern.StartsWith('!'))
            {
                if (Wildcard(pattern[1..], name))
                {
                    return false;
                }
            }
            else
            {
                matched |= Wildcard(pattern, name);
            }
        }

        return matched;
    }

    /// <summary>ssh's <c>match_pattern</c>: <c>*</c> any run, <c>?</c> one character, case-insensitive.</summary>
    private static bool Wildcard(string pattern, string name)
    {
        int p = 0, n = 0, star = -1, resume = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(name[n])))
            {
                p++;
                n++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = n;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
