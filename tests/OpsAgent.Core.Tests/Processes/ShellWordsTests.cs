using OpsAgent.Core.Processes;
using OpsAgent.Testing;

namespace OpsAgent.Core.Tests.Processes;

public sealed class ShellWordsTests
{
    /// <summary>Command lines as operators write them in OnCritical: each is split by the real sh for the expected words.</summary>
    private static readonly string[] Rows =
    [
        "certbot renew --cert-name 'my site'",
        "sh -c \"echo a; echo b\"",
        @"a\ b c",
        @"""C:\path\x""",
        @"""b\nc""",
        "'it''s'",
        "a \"\" b",
        @"""x\""y"" 'z\'",
        @"""\\"" ""\$HOME"" '$HOME'",
        "cmd --flag # a comment",
        "a#b 'c # d'",
        "one\\\ntwo",
        "tab\tseparated   spaced",
        @"\'single\' \""double\""",
        "\"line\none\"",
    ];

    [TestCaseSource(nameof(Rows))]
    public void TrySplit_CommandLine_SameWordsAsSh(string text)
    {
        var directory = Directory.CreateTempSubdirectory("opsagent-words-").FullName;
        try
        {
            var output = PosixShell.Run("printf '%s\\0' " + text, directory);
            var expected = output.Split('\0')[..^1];

            Assert.That(ShellWords.TrySplit(text, out var words, out var error), Is.True, error);
            Assert.That(words, Is.EqualTo(expected));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestCase("certbot 'renew", "unterminated ' quote")]
    [TestCase("certbot \"renew", "unterminated \" quote")]
    [TestCase("certbot renew\\", "ends with a lone backslash")]
    public void TrySplit_Unfinished_FailsSayingWhy(string text, string reason)
    {
        Assert.That(ShellWords.TrySplit(text, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(reason));
    }

    [TestCase("")]
    [TestCase("   # only a comment")]
    public void TrySplitCommand_NothingToRun_FailsSayingSo(string text)
    {
        Assert.That(ShellWords.TrySplitCommand(text, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo("empty command"));
    }
}
