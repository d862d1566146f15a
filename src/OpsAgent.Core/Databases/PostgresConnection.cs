using System.Globalization;
using Npgsql;

namespace OpsAgent.Core.Databases;

/// <summary>A PostgreSQL connection as libpq environment variables, parsed from Npgsql keywords or a <c>postgresql://</c> URL.</summary>
/// <remarks>
/// The tools get <c>PG*</c> variables rather than a connection string argument so the password never appears on a
/// command line (<c>/proc/&lt;pid&gt;/cmdline</c> is world-readable).
/// </remarks>
public sealed class PostgresConnection
{
    private static readonly Dictionary<string, string> UrlParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sslmode"] = "PGSSLMODE",
        ["sslrootcert"] = "PGSSLROOTCERT",
        ["sslcert"] = "PGSSLCERT",
        ["sslkey"] = "PGSSLKEY",
        ["connect_timeout"] = "PGCONNECT_TIMEOUT",
        ["application_name"] = "PGAPPNAME",
        ["options"] = "PGOPTIONS",
        ["host"] = "PGHOST",
        ["port"] = "PGPORT",
        ["user"] = "PGUSER",
        ["password"] = "PGPASSWORD",
        ["dbname"] = "PGDATABASE",
        ["target_session_attrs"] = "PGTARGETSESSIONATTRS",
        ["passfile"] = "PGPASSFILE",
    };

    /// <summary>
    /// Parameters ORMs put in the same URL (Prisma's <c>schema</c>, <c>connection_limit</c>, <c>pool_timeout</c>,
    /// <c>pgbouncer</c>, ...) that libpq does not know: the tools would refuse them, so they are left out.
    /// </summary>
    private static readonly HashSet<string> OrmParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "schema", "connection_limit", "pool_timeout", "pgbouncer", "statement_cache_size", "socket_timeout",
        "sslaccept", "sslidentity", "sslpassword", "max_idle_connection_lifetime", "pool_max_conns", "pool_min_conns",
    };

    private PostgresConnection(Dictionary<string, string> environment, string? schema = null, IReadOnlyList<string>? ignored = null)
    {
        Environment = environment;
        Schema = schema;
        IgnoredParameters = ignored ?? [];
    }

    /// <summary>The URL's <c>schema</c> (Prisma): the probe's search path, recorded beside a backup.</summary>
    public string? Schema { get; }

    /// <summary>URL parameters left out because only an ORM reads them (for a debug line).</summary>
    public IReadOnlyList<string> IgnoredParameters { get; }

    /// <summary>The libpq variables (<c>PGHOST</c>, <c>PGPORT</c>, <c>PGUSER</c>, <c>PGPASSWORD</c>, <c>PGDATABASE</c>, ...).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>The database, if any.</summary>
    public string? Database => Environment.GetValueOrDefault("PGDATABASE");

    /// <summary>The host (or socket directory), if any.</summary>
    public string? Host => Environment.GetValueOrDefault("PGHOST");

    /// <summary>Parses <paramref name="text"/> (null: libpq defaults) and applies <paramref name="database"/> when given.</summary>
    /// <exception cref="FormatException">The text is neither; the message never contains the text itself.</exception>
    public static PostgresConnection Parse(string? text, string? database)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        var ignored = new List<string>();
        string? schema = null;
        if (!string.IsNullOrWhiteSpace(text))
        {
            var trimmed = text.Trim();
            if (trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
            {
                schema = ParseUrl(trimmed, env, ignored);
            }
            else
            {
                ParseKeywords(trimmed, env);
            }
        }

        if (!string.IsNullOrEmpty(database))
        {
            env["PGDATABASE"] = database;
        }

        return new PostgresConnection(env, schema, ignored);
    }

    /// <summary>What is wrong with a connection written inline in the configuration (for check-config), or null.</summary>
    /// <remarks>The message names the field, never its value.</remarks>
    public static string? Problem(string text)
    {
        try
        {
            Parse(text, null);
            return null;
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>A copy connecting to another database (restores, <c>createdb</c>).</summary>
    public PostgresConnection WithDatabase(string database)
        => new(new Dictionary<string, string>(Environment, StringComparer.Ordinal) { ["PGDATABASE"] = database }, Schema, IgnoredParameters);

    /// <summary>An Npgsql connection string for the same server (version checks, database creation).</summary>
    public string ToNpgsql()
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Environment.GetValueOrDefault("PGHOST") ?? (OperatingSystem.IsWindows() ? "localhost" : "/var/run/postgresql"),
            Timeout = 15,
        };
        if (Environment.TryGetValue("PGPORT", out var port) && int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p))
        {
            builder.Port = p;
        }

        builder.Username = Environment.GetValueOrDefault("PGUSER") ?? System.Environment.UserName;
        builder.Password = Environment.GetValueOrDefault("PGPASSWORD");
        builder.Database = Environment.GetValueOrDefault("PGDATABASE") ?? builder.Username;
        if (Environment.TryGetValue("PGSSLMODE", out var ssl))
        {
            builder.SslMode = ssl switch
            {
                "disable" => SslMode.Disable,
                "allow" => SslMode.Allow,
                "require" => SslMode.Require,
                "verify-ca" => SslMode.VerifyCA,
                "verify-full" => SslMode.VerifyFull,
                _ => SslMode.Prefer,
            };
        }

        if (Environment.TryGetValue("PGSSLROOTCERT", out var root))
        {
            builder.RootCertificate = root;
        }

        if (Environment.TryGetValue("PGPASSFILE", out var passfile))
        {
            builder.Passfile = passfile;
        }

        if (Schema is not null)
        {
            builder.SearchPath = Schema;
        }

        return builder.ConnectionString;
    }

    private static string? ParseUrl(string text, Dictionary<string, string> env, List<string> ignored)
    {
        string? schema = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            throw new FormatException("not a valid postgresql:// URL");
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = colon < 0 ? uri.UserInfo : uri.UserInfo[..colon];
            if (user.Length > 0)
            {
                env["PGUSER"] = Uri.UnescapeDataString(user);
            }

            if (colon >= 0)
            {
                env["PGPASSWORD"] = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        if (uri.Host.Length > 0)
        {
            env["PGHOST"] = uri.Host.Trim('[', ']');
        }

        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            env["PGPORT"] = uri.Port.ToString(CultureInfo.InvariantCulture);
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            env["PGDATABASE"] = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            if (OrmParameters.Contains(key))
            {
                ignored.Add(key);
                if (string.Equals(key, "schema", StringComparison.OrdinalIgnoreCase) && value.Length > 0)
                {
                    schema = value;
                }

                continue;
            }

            if (!UrlParameters.TryGetValue(key, out var variable))
            {
                throw new FormatException($"unsupported URL parameter '{key}' (supported: {string.Join(", ", UrlParameters.Keys.Order(StringComparer.Ordinal))})");
            }

            env[variable] = value;
        }

        return schema;
    }

    /// <summary>Names the first field Npgsql cannot take, by position and known keyword, never by its value.</summary>
    /// <remarks>
    /// Hand-written because Npgsql reports only its own message. Fields are split on ';' without honouring quotes: this
    /// runs only once parsing has failed, and every message it builds holds nothing but known keywords and positions,
    /// except an unknown key that does not follow a password (whose unquoted ';' could have cut it in two).
    /// </remarks>
    private static string DescribeMalformed(string text)
    {
        var probe = new NpgsqlConnectionStringBuilder();
        var fields = text.Split(';');
        string? previous = null;
        for (var i = 0; i < fields.Length; i++)
        {
            var field = fields[i];
            if (field.Trim().Length == 0)
            {
                continue;
            }

            var eq = field.IndexOf('=', StringComparison.Ordinal);
            var key = eq <= 0 ? null : field[..eq].Trim();
            if (key is not null && probe.ContainsKey(key))
            {
                try
                {
                    probe[key] = field[(eq + 1)..].Trim();
                }
                catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
                {
                    return $"{key} (field {i + 1}) has an invalid value";
                }

                previous = key;
                continue;
            }

            // A field without '=' is a piece of the previous value; so may be an unknown key after a password.
            if (previous is not null && (key is null || IsSecretKeyword(previous)))
            {
                return $"field {i + 1}, after {previous}, is not a known KEY=VALUE pair; a value with ';' in it must be quoted ({previous}=\"...\")";
            }

            return key is null ? $"field {i + 1} is not a KEY=VALUE pair" : $"unknown keyword '{key}' (field {i + 1})";
        }

        return "it cannot be parsed; a value with ';' or '\"' in it must be quoted";
    }

    private static bool IsSecretKeyword(string key)
        => key.Contains("pass", StringComparison.OrdinalIgnoreCase) || key.Equals("pwd", StringComparison.OrdinalIgnoreCase) || key.Equals("psw", StringComparison.OrdinalIgnoreCase);

    private static void ParseKeywords(string text, Dictionary<string, string> env)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Npgsql's message quotes what it took for a key, and with an unquoted ';' in a password that "key" is a piece
            // of the password: neither the message nor the exception (which status output may unwrap) travels on.
            throw new FormatException($"not a valid connection string: {DescribeMalformed(text)}");
        }

        if (!string.IsNullOrEmpty(builder.Host))
        {
            env["PGHOST"] = builder.Host;
        }

        if (builder.Port != NpgsqlConnection.DefaultPort)
        {
            env["PGPORT"] = builder.Port.ToString(CultureInfo.InvariantCulture);
        }

        if (!string.IsNullOrEmpty(builder.Username))
        {
            env["PGUSER"] = builder.Username;
        }

        if (!string.IsNullOrEmpty(builder.Password))
        {
            env["PGPASSWORD"] = builder.Password;
        }

        if (!string.IsNullOrEmpty(builder.Database))
        {
            env["PGDATABASE"] = builder.Database;
        }

        if (builder.SslMode != SslMode.Prefer)
        {
            env["PGSSLMODE"] = builder.SslMode switch
            {
                SslMode.Disable => "disable",
                SslMode.Allow => "allow",
                SslMode.Require => "require",
                SslMode.VerifyCA => "verify-ca",
                SslMode.VerifyFull => "verify-full",
                _ => "prefer",
            };
        }

        if (!string.IsNullOrEmpty(builder.RootCertificate))
        {
            env["PGSSLROOTCERT"] = builder.RootCertificate;
        }

        if (!string.IsNullOrEmpty(builder.ApplicationName))
        {
            env["PGAPPNAME"] = builder.ApplicationName;
        }

        if (!string.IsNullOrEmpty(builder.Passfile))
        {
            env["PGPASSFILE"] = builder.Passfile;
        }

        env["PGCONNECT_TIMEOUT"] = builder.Timeout.ToString(CultureInfo.InvariantCulture);
    }
}
