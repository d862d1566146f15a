using Microsoft.Extensions.Time.Testing;
using OpsAgent.Certificates.Inspection;

namespace OpsAgent.Certificates.Tests;

public sealed class CertificateLevelsTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static CertificateInfo Info(DateTimeOffset notBefore, DateTimeOffset notAfter) => new(1, "x", "CN=x", "ca", notBefore, notAfter, "00", []);

    private static CertificateLevel LevelAt(FakeTimeProvider clock, CertificateInfo info) => CertificateLevels.Evaluate(info, clock.GetUtcNow(), 30, 7).Level;

    [Test]
    public void Evaluate_NinetyDayCertificateAt29DaysLeft_Warning()
    {
        var clock = new FakeTimeProvider(Start);
        var info = Info(Start.AddDays(-61), Start.AddDays(29));

        Assert.That(LevelAt(clock, info), Is.EqualTo(CertificateLevel.Warning));
    }

    [Test]
    public void Evaluate_FortyFiveDayCertificate_OkAt20DaysCriticalAt6()
    {
        var clock = new FakeTimeProvider(Start);
        var info = Info(Start.AddDays(-25), Start.AddDays(20));

        var at20 = LevelAt(clock, info);
        clock.Advance(TimeSpan.FromDays(9));
        var at11 = LevelAt(clock, info);
        clock.Advance(TimeSpan.FromDays(5));
        var at6 = LevelAt(clock, info);

        Assert.Multiple(() =>
        {
            Assert.That(at20, Is.EqualTo(CertificateLevel.Ok), "20 of 45 days left is more than a third of its life");
            Assert.That(at11, Is.EqualTo(CertificateLevel.Warning), "11 days is under a third of 45");
            Assert.That(at6, Is.EqualTo(CertificateLevel.Critical));
        });
    }

    [Test]
    public void Evaluate_ExpiredOrNotYetValid_CriticalWithReason()
    {
        var expired = CertificateLevels.Evaluate(Info(Start.AddDays(-90), Start.AddSeconds(-1)), Start, 30, 7);
        var future = CertificateLevels.Evaluate(Info(Start.AddSeconds(1), Start.AddDays(90)), Start, 30, 7);

        Assert.That((expired, future), Is.EqualTo(((CertificateLevel.Critical, "expired"), (CertificateLevel.Critical, "not_yet_valid"))));
    }
}
