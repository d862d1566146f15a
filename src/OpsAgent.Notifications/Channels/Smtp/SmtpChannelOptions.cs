using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Notifications.Channels.Smtp;

/// <summary>An <c>smtp</c> channel: e-mail through a mail server, with STARTTLS or TLS and the server's certificate verified.</summary>
public sealed class SmtpChannelOptions : IChannelSettings
{
    /// <summary>smtp: the mail server.</summary>
    public string? Host { get; set; }

    /// <summary>smtp: its port (587 submission with STARTTLS, 465 TLS, 25).</summary>
    public int Port { get; set; } = 587;

    /// <summary>smtp: upgrade the connection with STARTTLS and refuse to send without it.</summary>
    public bool StartTls { get; set; } = true;

    /// <summary>smtp: TLS from the first byte (port 465) instead of STARTTLS.</summary>
    public bool Tls { get; set; }

    /// <summary>smtp: a PEM file of the CA that signs the server's certificate, when it is a private one; the system's CAs otherwise.</summary>
    public string? CaFile { get; set; }

    /// <summary>smtp: the sender address.</summary>
    public string? From { get; set; }

    /// <summary>smtp: the recipients.</summary>
    public List<string> To { get; set; } = [];

    /// <summary>smtp: the user to log in as; none for a relay that takes mail without.</summary>
    public string? User { get; set; }

    /// <summary>smtp: the password of <see cref="User"/>.</summary>
    public SecretReference? Password { get; set; }

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            errors.Add($"{path}:{nameof(Host)}", "is required: the mail server");
        }
        else if (Uri.CheckHostName(Host) == UriHostNameType.Unknown)
        {
            errors.Add($"{path}:{nameof(Host)}", $"'{ConfigErrorText.Printable(Host, 100)}' is not a host name or address");
        }

        if (Port is < 1 or > 65535)
        {
            errors.Add($"{path}:{nameof(Port)}", "must be between 1 and 65535");
        }

        if (StartTls && Tls)
        {
            errors.Add($"{path}:{nameof(Tls)}", "Tls (port 465) and StartTls exclude each other: set one");
        }

        if (!Address(From))
        {
            errors.Add($"{path}:{nameof(From)}", From is null ? "is required: the sender address" : $"'{ConfigErrorText.Printable(From, 100)}' is not an e-mail address");
        }

        if (To.Count == 0)
        {
            errors.Add($"{path}:{nameof(To)}", "needs at least one recipient");
        }

        for (var i = 0; i < To.Count; i++)
        {
            if (!Address(To[i]))
            {
                errors.Add($"{path}:{nameof(To)}:{i}", $"'{ConfigErrorText.Printable(To[i] ?? "", 100)}' is not an e-mail address");
            }
        }

        if (Password is not null && User is null)
        {
            errors.Add($"{path}:{nameof(User)}", "a Password needs the User it belongs to");
        }

        if (User is not null && Password is null)
        {
            errors.Add($"{path}:{nameof(Password)}", "is required with User (for example { \"FromEnvFile\": \"/etc/opsagent/smtp.env\", \"Variable\": \"SMTP_PASSWORD\" })");
        }

        if (User is not null && !StartTls && !Tls)
        {
            errors.Add($"{path}:{nameof(StartTls)}", "a password is never sent over a plain connection: set StartTls or Tls");
        }

        foreach (var error in Password?.Validate($"{path}:{nameof(Password)}") ?? [])
        {
            errors.Add(error);
        }

        if (CaFile is not null && !Path.IsPathFullyQualified(CaFile))
        {
            errors.Add($"{path}:{nameof(CaFile)}", "must be an absolute path");
        }
    }

    private static bool Address(string? address) => address is not null && MimeKit.MailboxAddress.TryParse(address, out var parsed) && parsed.Address.Contains('@', StringComparison.Ordinal);

    /// <inheritdoc />
    public string Describe() => $"smtp{(Tls ? "s" : "")}://{Host}:{Port} to {string.Join(", ", To)}";

    /// <inheritdoc />
    public async Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.CheckHost($"{path}:{nameof(Host)}", Host);
        context.CheckAddress($"{path}:{nameof(From)}", From);
        for (var i = 0; i < To.Count; i++)
        {
            context.CheckAddress($"{path}:{nameof(To)}:{i}", To[i]);
        }
        if (Password is not null)
        {
            await context.ResolveSecretAsync(Password, $"{path}:{nameof(Password)}", cancellationToken).ConfigureAwait(false);
        }

        if (CaFile is not null && !File.Exists(CaFile))
        {
            context.Error($"{path}:{nameof(CaFile)}", $"{CaFile} does not exist");
        }
    }
}
