using System.Globalization;
using OpsAgent.Core.Secrets;
using OpsAgent.Core.Status;

namespace OpsAgent.Certificates;

/// <summary>The <c>/status</c> items of the certificates: one per certificate read, one per check that failed.</summary>
internal sealed class CertificateStatusItems(CertificateResults results, SecretRedactor redactor) : IStatusItemSource
{
    /// <inheritdoc />
    public IEnumerable<StatusItem> GetItems()
    {
        var (checkedAt, latest, levels) = results.Snapshot();
        foreach (var check in latest)
        {
            if (!check.Success)
            {
                yield return new StatusItem("certificate", check.Label, "failed", check.FailureReason, redactor.Redact(check.FailureMessage ?? ""), checkedAt,
                    new Dictionary<string, string> { ["source"] = check.SourceName, ["location"] = check.Location });
                continue;
            }

            foreach (var certificate in check.Certificates)
            {
                var (level, reason) = levels.TryGetValue(check.SeriesLabel(certificate), out var l) ? l : (CertificateLevel.Ok, null);
                var details = new Dictionary<string, string>
                {
                    ["source"] = check.SourceName,
                    ["location"] = check.Location,
                    ["subject"] = certificate.Subject,
                    ["issuer"] = certificate.Issuer,
                    ["notBefore"] = certificate.NotBefore.ToString("O", CultureInfo.InvariantCulture),
                    ["notAfter"] = certificate.NotAfter.ToString("O", CultureInfo.InvariantCulture),
                };
                if (check.Verified && certificate.Position == 1)
                {
                    details["verify"] = check.VerifyReason ?? "ok";
                }

                yield return new StatusItem("certificate", check.SeriesLabel(certificate), level.Name(), reason ?? (certificate.Position == 1 ? check.VerifyReason : null),
                    check.VerifyMessage, checkedAt, details);
            }
        }
    }
}
