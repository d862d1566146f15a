using System.ComponentModel;

namespace OpsAgent.Certificates;

/// <summary>One certificate file pattern; written as a glob string or as an object.</summary>
[TypeConverter(typeof(CertificateFileConverter))]
public sealed class CertificateFileOptions
{
    /// <summary>An absolute path or glob (<c>*</c> and <c>?</c> within a name, <c>**</c> across directories).</summary>
    public string? Path { get; set; }

    /// <summary>What to run while a certificate matched by this entry is critical.</summary>
    public OnCriticalOptions? OnCritical { get; set; }
}
