using System.Security.Cryptography;
using OpsAgent.Certificates.Inspection;

namespace OpsAgent.Certificates.Tests.Inspection;

public sealed class FileInspectorTests
{
    private static readonly DateTimeOffset Now = TestCertificates.Second(DateTimeOffset.UtcNow);
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("opsagent-certfiles-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static IReadOnlyList<CertificateCheck> Inspect(string pattern) => FileInspector.Inspect("site", new CertificateFileOptions { Path = pattern });

    [Test]
    public void Inspect_BundleWithLeafAndIntermediate_TwoCertificatesWithPositions()
    {
        using var ca = TestCertificates.CreateCa("Root", Now.AddDays(-900), Now.AddDays(900));
        using var intermediate = TestCertificates.CreateCa("Intermediate R3", Now.AddDays(-300), Now.AddDays(600), ca);
        using var leaf = TestCertificates.CreateLeaf("www.example.test", Now.AddDays(-10), Now.AddDays(80), intermediate);
        // A private key before the certificates, as in combined files, is skipped.
        var path = Write("fullchain.pem", ECDsa.Create().ExportECPrivateKeyPem() + "\n" + TestCertificates.Pem(leaf, intermediate));

        var check = Inspect(path).Single();

        Assert.Multiple(() =>
        {
            Assert.That(check.Success, Is.True, check.FailureMessage);
            Assert.That(check.Certificates.Select(c => (c.Position, c.Subject, check.SeriesLabel(c))),
                Is.EqualTo(new[] { (1, "www.example.test", "site"), (2, "Intermediate R3", "site#2") }));
            Assert.That(check.Certificates[0].NotAfter, Is.EqualTo(TestCertificates.Second(Now.AddDays(80))));
            Assert.That(check.Certificates[1].NotAfter, Is.EqualTo(TestCertificates.Second(Now.AddDays(600))));
        });
    }

    [Test]
    public void Inspect_CertbotLiveSymlinks_FollowsThemAndSeesTheRenewal()
    {
        using var first = TestCertificates.CreateLeaf("example.test", Now.AddDays(-80), Now.AddDays(10), null);
        using var renewed = TestCertificates.CreateLeaf("example.test", Now, Now.AddDays(90), null);
        Write("archive/example.test/fullchain1.pem", TestCertificates.Pem(first));
        Write("archive/example.test/fullchain2.pem", TestCertificates.Pem(renewed));
        Directory.CreateDirectory(Path.Combine(_dir, "live/example.test"));
        var link = Path.Combine(_dir, "live/example.test/fullchain.pem");
        File.CreateSymbolicLink(link, "../../archive/example.test/fullchain1.pem");

        var before = Inspect(Path.Combine(_dir, "live/*/fullchain.pem")).Single();
        // certbot renew writes fullchain2.pem and swaps the link.
        File.Delete(link);
        File.CreateSymbolicLink(link, "../../archive/example.test/fullchain2.pem");
        var after = Inspect(Path.Combine(_dir, "live/*/fullchain.pem")).Single();

        Assert.Multiple(() =>
        {
            Assert.That(before.Label, Is.EqualTo("site:example.test/fullchain.pem"));
            Assert.That(before.Certificates[0].NotAfter, Is.EqualTo(TestCertificates.Second(Now.AddDays(10))));
            Assert.That(after.Label, Is.EqualTo(before.Label), "the series keeps its name across renewals");
            Assert.That(after.Certificates[0].NotAfter, Is.EqualTo(TestCertificates.Second(Now.AddDays(90))));
        });
    }

    [Test]
    public void Inspect_DanglingSymlink_FailsNotFoundNamingTheTarget()
    {
        var link = Path.Combine(_dir, "cert.pem");
        File.CreateSymbolicLink(link, Path.Combine(_dir, "archive/gone.pem"));

        var check = Inspect(Path.Combine(_dir, "*.pem")).Single();

        Assert.That((check.FailureReason, check.Label), Is.EqualTo(("not_found", "site:cert.pem")));
        Assert.That(check.FailureMessage, Does.Contain("gone.pem"));
    }

    [Test]
    public void Inspect_DerFile_ReadsTheCertificate()
    {
        using var leaf = TestCertificates.CreateLeaf("der.test", Now.AddDays(-1), Now.AddDays(30), null);
        var path = Path.Combine(_dir, "cert.der");
        File.WriteAllBytes(path, leaf.RawData);

        var check = Inspect(path).Single();

        Assert.That(check.Certificates.Single().Subject, Is.EqualTo("der.test"));
    }

    [TestCase("", "no_certificate")]
    [TestCase("-----BEGIN CERTIFICATE-----\nMIIB!!!notbase64\n-----END CERTIFICATE-----\n", "bad_pem")]
    [TestCase("-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAK\n", "bad_pem")]
    [TestCase("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "bad_pem")]
    [TestCase("hello, not a certificate\n", "no_certificate")]
    public void Inspect_BrokenContent_FailsWithReason(string content, string reason)
    {
        var path = Write("broken.pem", content);

        var check = Inspect(path).Single();

        Assert.Multiple(() =>
        {
            Assert.That(check.Success, Is.False);
            Assert.That(check.FailureReason, Is.EqualTo(reason), check.FailureMessage);
            Assert.That(check.Label, Is.EqualTo("site"));
        });
    }

    /// <summary>A fixture copied from x509-certificate-exporter (Fixtures/x509-certificate-exporter/README.md).</summary>
    private static string Fixture(string name)
        => File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Inspection", "Fixtures", "x509-certificate-exporter", name));

    /// <summary>The <paramref name="index"/>-th (0-based) PEM block of <paramref name="pem"/>, with its END line's newline.</summary>
    private static string Block(string pem, int index)
    {
        const string end = "-----END CERTIFICATE-----\n";
        var blocks = pem.Split(end, StringSplitOptions.RemoveEmptyEntries);
        return blocks[index][blocks[index].IndexOf("-----BEGIN ", StringComparison.Ordinal)..] + end;
    }

    [Test]
    public void Inspect_CorruptedBlockBetweenGoodCertificates_EachGoodCertificateReportedAndTheBadBlockItsOwnFailedRow()
    {
        // basic.pem: a certificate and an RSA key (lines 1-32); corrupted.pem's block from line 33; double.pem's second certificate.
        var path = Write("bundle.pem", Fixture("basic.pem") + Fixture("corrupted.pem") + Block(Fixture("double.pem"), 1));

        var checks = Inspect(path);

        Assert.That(checks.Select(c => (c.Label, c.FailureReason)), Is.EqualTo(new (string, string?)[] { ("site", null), ("site#2", "bad_pem") }));
        Assert.Multiple(() =>
        {
            Assert.That(checks[0].Certificates.Select(c => (c.Position, c.Subject, checks[0].SeriesLabel(c))),
                Is.EqualTo(new[] { (1, "kubernetes", "site"), (3, "O=Acme Co", "site#3") }), "positions count the certificate blocks, the bad one included");
            Assert.That(checks[0].Certificates[0].NotAfter, Is.EqualTo(new DateTimeOffset(2028, 12, 23, 13, 27, 34, TimeSpan.Zero)));
            Assert.That(checks[1].FailureMessage, Does.Contain("certificate block 2 (line 33)"));
            Assert.That(checks[1].Location, Is.EqualTo(path));
        });
    }

    [TestCase("-----BEGIN CERTIFICATE-----\nMIIB!!!notbase64\n-----END CERTIFICATE-----\n", "not valid base64")]
    [TestCase("-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAK\n", "no END line")]
    [TestCase("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "cannot be parsed")]
    public void Inspect_BadBlockFirstThenAGoodCertificate_TheGoodOneReportedAndTheBadBlockFailedAsNumberOne(string bad, string problem)
    {
        using var leaf = TestCertificates.CreateLeaf("after.test", Now.AddDays(-1), Now.AddDays(30), null);
        var path = Write("bundle.pem", bad + TestCertificates.Pem(leaf));

        var checks = Inspect(path);

        Assert.That(checks.Select(c => (c.Label, c.FailureReason)), Is.EqualTo(new (string, string?)[] { ("site", null), ("site#1", "bad_pem") }));
        Assert.Multiple(() =>
        {
            Assert.That(checks[0].Certificates.Select(c => (c.Subject, checks[0].SeriesLabel(c))), Is.EqualTo(new[] { ("after.test", "site#2") }));
            Assert.That(checks[1].FailureMessage, Does.Contain("certificate block 1 (line 1)").And.Contain(problem));
        });
    }

    [Test]
    public void Inspect_OnlyBadBlocks_OneFailedRowNamingEachBlock()
    {
        var path = Write("broken.pem", Fixture("corrupted.pem") + "-----BEGIN CERTIFICATE-----\nMIIB!!!notbase64\n-----END CERTIFICATE-----\n");

        var check = Inspect(path).Single();

        Assert.That((check.Label, check.FailureReason), Is.EqualTo(("site", "bad_pem")));
        Assert.That(check.FailureMessage, Does.Contain("certificate block 1 (line 1)").And.Contain("certificate block 2 (line 18)"));
    }

    [Test]
    public void Inspect_TrustedCertificateBlocks_ReadAsOpensslX509ReadsThem()
    {
        using var ca = TestCertificates.CreateCa("Trusted Root", Now.AddDays(-100), Now.AddDays(3000));
        using var leaf = TestCertificates.CreateLeaf("trusted.test", Now.AddDays(-1), Now.AddDays(45), ca);
        Write("plain.pem", TestCertificates.Pem(ca));
        // OpenSSL's trusted format: the DER certificate followed by its trust settings, under BEGIN TRUSTED CERTIFICATE.
        PosixShell.Run("openssl x509 -in plain.pem -trustout -addtrust serverAuth -out trusted.pem", _dir);
        var trusted = File.ReadAllText(Path.Combine(_dir, "trusted.pem"));
        Assert.That(trusted, Does.StartWith("-----BEGIN TRUSTED CERTIFICATE-----"));
        var opensslEnd = PosixShell.Run("openssl x509 -in trusted.pem -noout -enddate -dateopt iso_8601", _dir);
        var path = Write("bundle.pem", TestCertificates.Pem(leaf) + trusted);

        var check = Inspect(path).Single();

        Assert.Multiple(() =>
        {
            Assert.That(check.Success, Is.True, check.FailureMessage);
            Assert.That(check.Certificates.Select(c => (c.Position, c.Subject)), Is.EqualTo(new[] { (1, "trusted.test"), (2, "Trusted Root") }));
            Assert.That(check.Certificates[1].NotAfter, Is.EqualTo(TestCertificates.Second(Now.AddDays(3000))));
            Assert.That(opensslEnd, Does.Contain(TestCertificates.Second(Now.AddDays(3000)).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)));
        });
    }

    [Test]
    public void Inspect_TrustedCertificateFromTheExportersFixture_ReadLikeTheCertificateItCarries()
    {
        Write("basic.pem", Fixture("basic.pem"));
        PosixShell.Run("openssl x509 -in basic.pem -trustout -addtrust clientAuth -addreject emailProtection -setalias k8s -out trusted.pem", _dir);

        var check = Inspect(Path.Combine(_dir, "trusted.pem")).Single();

        Assert.That(check.Success, Is.True, check.FailureMessage);
        Assert.That(check.Certificates.Select(c => (c.Subject, c.NotAfter)), Is.EqualTo(new[] { ("kubernetes", new DateTimeOffset(2028, 12, 23, 13, 27, 34, TimeSpan.Zero)) }));
    }

    [Test]
    public void Inspect_PrivateKeyOnly_FailsNoCertificate()
    {
        var path = Write("privkey.pem", ECDsa.Create().ExportECPrivateKeyPem());

        var check = Inspect(path).Single();

        Assert.That((check.FailureReason, check.FailureMessage), Is.EqualTo(("no_certificate", "the PEM holds EC PRIVATE KEY, no certificate")));
    }

    [Test]
    public void Inspect_MissingFile_FailsNotFound()
        => Assert.That(Inspect(Path.Combine(_dir, "missing.pem")).Single().FailureReason, Is.EqualTo("not_found"));

    [Test]
    public void Inspect_GlobMatchingNothing_OneFailureNoMatch()
    {
        var checks = Inspect(Path.Combine(_dir, "live/*/fullchain.pem"));

        Assert.That(checks.Select(c => (c.Label, c.FailureReason)), Is.EqualTo(new[] { ("site", "no_match") }));
    }

    [Test]
    public void Inspect_RecursiveAndSingleCharacterWildcards_MatchLikeAShell()
    {
        using var leaf = TestCertificates.CreateLeaf("glob.test", Now.AddDays(-1), Now.AddDays(30), null);
        var pem = TestCertificates.Pem(leaf);
        Write("a/cert1.pem", pem);
        Write("a/b/c/cert2.pem", pem);
        Write("a/b/cert10.pem", pem);
        Write("a/.hidden/cert3.pem", pem);
        Write("cert4.pem", pem);

        var deep = Inspect(Path.Combine(_dir, "**/cert?.pem")).Select(c => c.Label);
        var shallow = Inspect(Path.Combine(_dir, "a/*/cert*.pem")).Select(c => c.Label);

        Assert.Multiple(() =>
        {
            Assert.That(deep, Is.EqualTo(new[] { "site:a/b/c/cert2.pem", "site:a/cert1.pem", "site:cert4.pem" }));
            Assert.That(shallow, Is.EqualTo(new[] { "site:b/cert10.pem" }), "labels are relative to the directory before the first wildcard");
        });
    }

    [Test]
    public void Inspect_DirectorySymlinkLoop_Terminates()
    {
        using var leaf = TestCertificates.CreateLeaf("loop.test", Now.AddDays(-1), Now.AddDays(30), null);
        Write("d/cert.pem", TestCertificates.Pem(leaf));
        Directory.CreateSymbolicLink(Path.Combine(_dir, "d/loop"), Path.Combine(_dir, "d"));

        var checks = Inspect(Path.Combine(_dir, "**/*.pem"));

        Assert.That(checks.Select(c => c.Label), Does.Contain("site:d/cert.pem"));
        Assert.That(checks, Has.Count.LessThan(5));
    }

    [Test]
    public void Inspect_FifoMatchedByAGlob_FailsNotRegularFileWithoutHangingAndTheOtherFilesAreRead()
    {
        using var leaf = TestCertificates.CreateLeaf("example.test", Now.AddDays(-1), Now.AddDays(60), null);
        Write("a/cert.pem", TestCertificates.Pem(leaf));
        Directory.CreateDirectory(Path.Combine(_dir, "b"));
        MakeFifo(Path.Combine(_dir, "b/cert.pem"));

        // Before the fix this read blocked in open() forever: the guard turns a hang into a failed test.
        var read = Task.Run(() => Inspect(Path.Combine(_dir, "*/cert.pem")));
        Assert.That(read.Wait(TimeSpan.FromSeconds(30)), Is.True, "reading a FIFO must not block");

        var checks = read.Result.ToDictionary(c => c.Label);
        Assert.That(checks["site:a/cert.pem"].Success, Is.True, checks["site:a/cert.pem"].FailureMessage);
        Assert.That(checks["site:b/cert.pem"].FailureReason, Is.EqualTo("not_regular_file"));
    }

    [Test]
    public void Inspect_PemSymlinkToDevZero_FailsNotRegularFile()
    {
        var link = Path.Combine(_dir, "zero.pem");
        File.CreateSymbolicLink(link, "/dev/zero");

        var check = Inspect(link).Single();

        Assert.That(check.FailureReason, Is.EqualTo("not_regular_file"));
        Assert.That(check.FailureMessage, Does.Contain("character device"));
    }

    [Test]
    public void Inspect_FileOverTheSizeCap_FailsTooLarge()
    {
        using var leaf = TestCertificates.CreateLeaf("example.test", Now.AddDays(-1), Now.AddDays(60), null);
        var pem = TestCertificates.Pem(leaf);
        var path = Write("big.pem", string.Concat(Enumerable.Repeat(pem, (2 << 20) / pem.Length + 1)));

        var check = Inspect(path).Single();

        Assert.That(check.FailureReason, Is.EqualTo("too_large"));
        Assert.That(check.FailureMessage, Does.Contain("1048576"));
    }

    [Test]
    public void Inspect_MoreCertificatesThanTheCap_FailsTooManyCertificates()
    {
        using var leaf = TestCertificates.CreateLeaf("example.test", Now.AddDays(-1), Now.AddDays(60), null);
        var path = Write("many.pem", string.Concat(Enumerable.Repeat(TestCertificates.Pem(leaf), 11)));

        var capped = FileInspector.Inspect("site", new CertificateFileOptions { Path = path }, new FileLimits(1 << 20, 10, TimeSpan.FromSeconds(10))).Single();
        var allowed = FileInspector.Inspect("site", new CertificateFileOptions { Path = path }, new FileLimits(1 << 20, 11, TimeSpan.FromSeconds(10))).Single();

        Assert.That(capped.FailureReason, Is.EqualTo("too_many_certificates"));
        Assert.That(allowed.Certificates, Has.Count.EqualTo(11));
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.That(mkfifo.ExitCode, Is.Zero);
    }

    [Test]
    public void Inspect_SymlinkLoopThroughTwoDirectories_ChecksTheFileOnce()
    {
        using var leaf = TestCertificates.CreateLeaf("loop.test", Now.AddDays(-1), Now.AddDays(30), null);
        Write("a/x/c.pem", TestCertificates.Pem(leaf));
        Directory.CreateDirectory(Path.Combine(_dir, "a/y"));
        // Relative links through other links: resolving only the last component never sees the same directory twice.
        Directory.CreateSymbolicLink(Path.Combine(_dir, "a/x/loop"), "../y");
        Directory.CreateSymbolicLink(Path.Combine(_dir, "a/y/loop"), "../x");

        var checks = Inspect(Path.Combine(_dir, "**/*.pem"));

        Assert.That(checks.Select(c => c.Label), Is.EqualTo(new[] { "site:a/x/c.pem" }));
    }

    [Test]
    public void Expand_WildcardOverTheRoot_NeverDescendsIntoProcSysOrDev()
    {
        var (matches, _, _) = Glob.Expand("/*/self/status");
        var (devices, _, _) = Glob.Expand("/*/null");

        Assert.That(matches, Is.Empty, "/proc/self/status must not be reached");
        Assert.That(devices, Is.Empty, "/dev/null must not be reached");
    }

    [Test]
    public void Inspect_PatternWalkingMoreEntriesThanTheCap_FailsGlobTooLarge()
    {
        for (var i = 0; i < 30; i++)
        {
            Write($"d{i}/x.txt", "x");
        }

        var (_, _, tooLarge) = Glob.Expand(Path.Combine(_dir, "**/*.pem"), maxEntries: 20);
        var check = FileInspector.Inspect("site", new CertificateFileOptions { Path = Path.Combine(_dir, "**/*.pem") }, new FileLimits(1 << 20, 100, TimeSpan.FromSeconds(10), MaxGlobEntries: 20)).Single();

        Assert.That(tooLarge, Is.True);
        Assert.That(check.FailureReason, Is.EqualTo("glob_too_large"));
    }
}
