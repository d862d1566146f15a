using Npgsql;

namespace OpsAgent.Backups.Tests.Support;

/// <summary>The real PostgreSQL server tests/run.sh starts (OPSAGENT_TEST_PG).</summary>
public static class TestPostgres
{
    public static string Admin => TestEnvironment.Require("OPSAGENT_TEST_PG");

    public static string For(string database, string? user = null, string? password = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(Admin) { Database = database };
        if (user is not null)
        {
            builder.Username = user;
            builder.Password = password;
        }

        return builder.ConnectionString;
    }

    public static async Task ExecAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(For(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(For(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 9, 60)];
        await ExecAsync("postgres", $"create database \"{name}\"");
        return name;
    }

    public static async Task DropDatabaseAsync(string name)
    {
        try
        {
            await ExecAsync("postgres", $"drop database if exists \"{name}\" with (force)");
        }
        catch (NpgsqlException)
        {
        }
    }

    /// <summary>Row count and an order-independent checksum of each table's contents, plus large objects.</summary>
    public static async Task<Dictionary<string, string>> FingerprintAsync(string database)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(For(database));
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("select quote_ident(table_schema)||'.'||quote_ident(table_name) from information_schema.tables where table_schema='public' and table_type='BASE TABLE' order by 1", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand($"select count(*)::text || ':' || coalesce(md5(string_agg(md5(t::text), '' order by md5(t::text))), '') from {table} t", connection) { CommandTimeout = 600 };
            result[table] = (string)(await command.ExecuteScalarAsync())!;
        }

        await using (var lo = new NpgsqlCommand("select count(*)::text || ':' || coalesce(md5(string_agg(oid::text || md5(lo_get(oid)), ',' order by oid)), '') from pg_largeobject_metadata", connection) { CommandTimeout = 600 })
        {
            result["largeobjects"] = (string)(await lo.ExecuteScalarAsync())!;
        }

        return result;
    }
}
