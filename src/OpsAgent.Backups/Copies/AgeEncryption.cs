using OpsAgent.Core.Processes;

namespace OpsAgent.Backups.Copies;

/// <summary>Encrypts and decrypts copies with Debian's <c>age</c>, streamed through its stdin and stdout.</summary>
/// <remarks>No .NET implementation of age is served, so the agent runs the tool as it runs <c>pg_dump</c>.</remarks>
internal static class AgeEncryption
{
    /// <summary>The suffix of an encrypted object's name.</summary>
    public const string Suffix = ".age";

    /// <summary><c>age -e -r … [-R file]</c>.</summary>
    public static ToolCommand EncryptCommand(EncryptionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var arguments = new List<string> { "--encrypt" };
        foreach (var recipient in options.Recipients)
        {
            arguments.Add("--recipient");
            arguments.Add(recipient);
        }

        if (!string.IsNullOrWhiteSpace(options.RecipientsFile))
        {
            arguments.Add("--recipients-file");
            arguments.Add(options.RecipientsFile);
        }

        return new ToolCommand(options.AgePath ?? "age", arguments) { RedirectStandardInput = true };
    }

    /// <summary><c>age -d -i identity</c>.</summary>
    public static ToolCommand DecryptCommand(string? agePath, string identityFile)
        => new(agePath ?? "age", ["--decrypt", "--identity", identityFile]) { RedirectStandardInput = true };

    /// <summary>
    /// Starts <paramref name="command"/> with <paramref name="input"/> pumped into its stdin and returns its stdout, which
    /// throws <paramref name="reason"/> at its end unless the input was read completely and the tool exited 0.
    /// </summary>
    public static async Task<Stream> StartAsync(ToolRunner tools, ToolCommand command, Stream input, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(command);
        RunningTool tool;
        try
        {
            tool = await tools.StartAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (ToolStartException ex)
        {
            throw new CopyFailedException(reason, $"cannot start {command.FileName}: {ex.Message} (install Debian's age package, or set Encryption:AgePath)", ex);
        }

        return new AgeStream(tool, input, reason, Path.GetFileName(command.FileName));
    }

    /// <summary>
    /// age's own error lines (<c>age: error: no identity matched any of the recipients</c>): its last line is always the
    /// request to report unhelpful errors, which the generic summary (the last line saying "error") would pick instead.
    /// </summary>
    internal static string Summary(ToolExit exit)
    {
        ArgumentNullException.ThrowIfNull(exit);
        var lines = exit.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.Contains("report unexpected or unhelpful errors", StringComparison.Ordinal)).ToList();
        var errors = lines.Where(l => l.Contains("error:", StringComparison.Ordinal)).ToList();
        var shown = string.Join("; ", errors.Count > 0 ? errors : lines);
        return shown.Length == 0 ? $"exit code {exit.ExitCode}" : shown.Length > 500 ? shown[..500] + "…" : shown;
    }

    /// <summary>A running <c>age</c>'s stdout, fed from a pump into its stdin.</summary>
    private sealed class AgeStream : Stream
    {
        private readonly RunningTool _tool;
        private readonly string _reason;
        private readonly string _name;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _pump;
        private bool _finished;
        private bool _closed;

        public AgeStream(RunningTool tool, Stream input, string reason, string name)
        {
            _tool = tool;
            _reason = reason;
            _name = name;
            _pump = PumpAsync(input, _stop.Token);
        }

        private async Task PumpAsync(Stream input, CancellationToken cancellationToken)
        {
            var stdin = _tool.StandardInput ?? throw new InvalidOperationException("age was started without a standard input");
            try
            {
                await input.CopyToAsync(stdin, 1 << 20, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await stdin.DisposeAsync().ConfigureAwait(false);
            }
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_finished)
            {
                return 0;
            }

            int read;
            try
            {
                read = await _tool.StandardOutput.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw new CopyFailedException(_reason, $"{_name} output broke off: {ex.Message}", ex);
            }

            if (read > 0)
            {
                return read;
            }

            // The end of age's output is only a clean end when all the input went in and age said it succeeded.
            try
            {
                await _pump.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var exit = await _tool.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                throw ex is CopyFailedException c && exit.ExitCode == 0 ? c
                    : new CopyFailedException(_reason, $"{_name} failed (exit code {exit.ExitCode}: {Summary(exit)}) while reading its input: {ex.Message}", ex);
            }

            var exited = await _tool.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (exited.ExitCode != 0)
            {
                throw new CopyFailedException(_reason, $"{_name} exited with code {exited.ExitCode}: {Summary(exited)}");
            }

            _finished = true;
            return 0;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                CloseAsync().AsTask().GetAwaiter().GetResult();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await CloseAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }

        /// <summary>Kills an age that did not finish (so a failed upload never leaves it running) and waits for the pump; once.</summary>
        private async ValueTask CloseAsync()
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            if (!_finished)
            {
                await _stop.CancelAsync().ConfigureAwait(false);
                await _tool.KillAsync().ConfigureAwait(false);
            }

            try
            {
                await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            finally
            {
                await _tool.DisposeAsync().ConfigureAwait(false);
                _stop.Dispose();
            }
        }
    }
}
