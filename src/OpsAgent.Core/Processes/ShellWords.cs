using System.Text;

namespace OpsAgent.Core.Processes;

/// <summary>
/// Splits text into words as a POSIX shell does for quoting, backslashes and comments, without running a shell: what an
/// operator writes in a command line or an env file means what <c>sh</c> would make of it.
/// </summary>
/// <remarks>
/// Single quotes keep everything literally; inside double quotes a backslash escapes only <c>$</c>, <c>`</c>, <c>"</c>,
/// <c>\</c> and a newline, and stays otherwise (<c>"C:\path"</c> is <c>C:\path</c>); outside quotes it escapes any
/// character, and a backslash-newline joins lines. A <c>#</c> that starts a word starts a comment. No shell means no
/// expansion: <c>$VAR</c>, <c>`cmd`</c>, <c>*</c>, redirections and <c>&amp;&amp;</c> are kept as written, so a command
/// runs exactly the program it names and a password with a <c>$</c> survives.
/// </remarks>
public static class ShellWords
{
    /// <summary>Splits a command line into the program and its arguments; false with a reason when nothing would run.</summary>
    public static bool TrySplitCommand(string text, out IReadOnlyList<string> words, out string? error)
    {
        if (!TrySplit(text, out words, out error))
        {
            return false;
        }

        error = words.Count == 0 ? "empty command" : null;
        return error is null;
    }

    /// <summary>Splits <paramref name="text"/>; false with a reason on an unterminated quote or a trailing backslash.</summary>
    public static bool TrySplit(string text, out IReadOnlyList<string> words, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        var quote = '\0';
        words = result;
        error = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote == '\'')
            {
                if (c == '\'') { quote = '\0'; } else { current.Append(c); }
                continue;
            }

            if (quote == '"')
            {
                if (c == '"')
                {
                    quote = '\0';
                }
                else if (c == '\\' && i + 1 < text.Length && text[i + 1] is '$' or '`' or '"' or '\\' or '\n')
                {
                    if (text[++i] != '\n')
                    {
                        current.Append(text[i]);
                    }
                }
                else
                {
                    current.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '\\':
                    if (++i >= text.Length)
                    {
                        error = "ends with a lone backslash";
                        return false;
                    }

                    if (text[i] != '\n')
                    {
                        current.Append(text[i]);
                        inWord = true;
                    }

                    break;
                case '\'' or '"':
                    quote = c;
                    inWord = true;
                    break;
                case '#' when !inWord:
                    var end = text.IndexOf('\n', i);
                    i = end < 0 ? text.Length : end - 1;
                    break;
                case ' ' or '\t' or '\n':
                    if (inWord)
                    {
                        result.Add(current.ToString());
                        current.Clear();
                        inWord = false;
                    }

                    break;
                default:
                    current.Append(c);
                    inWord = true;
                    break;
            }
        }

        if (quote != '\0')
        {
            error = $"unterminated {quote} quote";
            return false;
        }

        if (inWord)
        {
            result.Add(current.ToString());
        }

        return true;
    }
}
