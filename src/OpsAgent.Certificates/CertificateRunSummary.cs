namespace OpsAgent.Certificates;

/// <summary>What one scheduled run found.</summary>
/// <param name="Ok">Certificates at <c>ok</c>.</param>
/// <param name="Warning">Certificates at <c>warning</c>.</param>
/// <param name="Critical">Certificates at <c>critical</c>.</param>
/// <param name="Failed">Checks that could not read a certificate.</param>
/// <param name="Unverified">Endpoints whose chain or name does not verify.</param>
internal sealed record CertificateRunSummary(int Ok, int Warning, int Critical, int Failed, int Unverified)
{
    /// <summary>One line for <c>/status</c>.</summary>
    public override string ToString() => $"{Ok} ok, {Warning} warning, {Critical} critical, {Failed} failed checks, {Unverified} not verifying";
}
