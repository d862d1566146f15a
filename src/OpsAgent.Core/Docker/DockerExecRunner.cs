using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpsAgent.Core.Processes;

namespace OpsAgent.Core.Docker;

/// <summary>Runs tools inside a container through the Engine API's exec, streaming stdout and keeping stderr apart.</summary>
/// <remarks>
/// No TTY is ever allocated: a TTY rewrites line endings and merges stderr into stdout, which corrupts binary dumps.
/// Without a TTY the engine multiplexes both streams into frames; they are split here so stderr reaches the log only.
/// </remarks>
public static class DockerExecRunner
{
    /// <summary>Starts <paramref name="command"/> in <see cref="ToolCommand.Container"/>.</summary>
    public static async Task<RunningTool> StartAsync(DockerClient client, ToolCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(command);
        var container = command.Container ?? throw new ArgumentException("no container", nameof(command));
        var marker = Guid.NewGuid().ToString("N");
        try
        {
            var exec = await client.Exec.ExecCreateContainerAsync(container, new ContainerExecCreateParameters
            {
                AttachStdout = true,
                AttachStderr = true,
                AttachStdin = command.RedirectStandardInput,
                Tty = false,
                Cmd = [command.FileName, .. command.Arguments],
                // Inherited by everything the tool starts: what a kill inside the container finds them by.
                Env = [.. command.Environment.Select(e => $"{e.Key}={e.Value}"), $"{MarkerVariable}={marker}"],
            }, cancellationToken).ConfigureAwait(false);
            var stream = await client.Exec.StartAndAttachContainerExecAsync(exec.ID, tty: false, cancellationToken).ConfigureAwait(false);
            return new ExecTool(client, exec.ID, marker, stream, command);
        }
        catch (DockerContainerNotFoundException ex)
        {
            throw new ToolStartException(ToolStartReasons.ContainerMissing, $"container '{container}' does not exist (docker ps -a lists the names)", ex);
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // 409: "Container <id> is not running" or "... is paused".
            throw new ToolStartException(ToolStartReasons.ContainerNotRunning, $"cannot exec in container '{container}': {FirstLine(ex.ResponseBody)}", ex);
        }
        catch (DockerApiException ex)
        {
            throw new ToolStartException(ToolStartReasons.DockerUnreachable, $"cannot exec in container '{container}': {FirstLine(ex.ResponseBody)}", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new ToolStartException(ToolStartReasons.DockerUnreachable, $"cannot reach the Docker engine at {client.Configuration.EndpointBaseUri}: {ex.Message}", ex);
        }
    }

    /// <summary>The environment variable naming an exec's processes, so that a kill inside the container finds them.</summary>
    internal const string MarkerVariable = "OPSAGENT_EXEC";

    /// <summary>How long a signalled exec has to end before the next signal (TERM, then KILL).</summary>
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Signals ($2) every process in the container whose environment holds the marker ($1), read from the container's
    /// own /proc: POSIX sh, tr, grep and kill only, which busybox and Debian-based images have.
    /// </summary>
    private const string KillScript = """
        command -v tr >/dev/null 2>&1 && command -v grep >/dev/null 2>&1 || exit 127
        for d in /proc/[0-9]*; do
          if tr '\0' '\n' < "$d/environ" 2>/dev/null | grep -qxF "$1"; then kill -"$2" "${d#/proc/}" 2>/dev/null; fi
        done
        """;

    private static string FirstLine(string? text) => (text ?? string.Empty).Split('\n')[0].Trim();

    private sealed class ExecTool : RunningTool
    {
        private readonly DockerClient _client;
        private readonly string _id;
        private readonly string _marker;
        private readonly MultiplexedStream _stream;
        private readonly ToolCommand _command;
        private readonly Pipe _stdout = new(new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20, useSynchronizationContext: false));
        private readonly TailBuffer _stderr = new();
        private readonly CancellationTokenSource _pumpCancel = new();
        private readonly Task _pump;
        private readonly Stream? _stdin;

        public ExecTool(DockerClient client, string id, string marker, MultiplexedStream stream, ToolCommand command)
        {
            _client = client;
            _id = id;
            _marker = marker;
            _stream = stream;
            _command = command;
            _pump = PumpAsync(_pumpCancel.Token);
            if (command.RedirectStandardInput)
            {
                _stdin = new StdinStream(stream);
            }
        }

        public override Stream StandardOutput { get => field ??= _stdout.Reader.AsStream(); }

        public override Stream? StandardInput => _stdin;

        private async Task PumpAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[81920];
            Exception? failure = null;
            try
            {
                while (true)
                {
                    var result = await _stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                    if (result.EOF)
                    {
                        break;
                    }

                    if (result.Target == MultiplexedStream.TargetStream.StandardError)
                    {
                        _stderr.Append(buffer.AsSpan(0, result.Count));
                    }
                    else
                    {
                        var flush = await _stdout.Writer.WriteAsync(buffer.AsMemory(0, result.Count), cancellationToken).ConfigureAwait(false);
                        if (flush.IsCompleted)
                        {
                            // The reader gave up (the run failed elsewhere); keep draining stderr only.
                            _stdout.Writer.CancelPendingFlush();
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                failure = ex;
            }

            await _stdout.Writer.CompleteAsync(failure is OperationCanceledException ? null : failure).ConfigureAwait(false);
        }

        public override async Task<ToolExit> WaitForExitAsync(CancellationToken cancellationToken)
        {
            await _pump.WaitAsync(cancellationToken).ConfigureAwait(false);
            // The stream ends slightly before the engine records the exit code.
            for (var attempt = 0; ; attempt++)
            {
                var inspect = await _client.Exec.InspectContainerExecAsync(_id, cancellationToken).ConfigureAwait(false);
                if (!inspect.Running || attempt >= 100)
                {
                    return new ToolExit(inspect.Running ? -1 : inspect.ExitCode, _stderr.ToString());
                }

                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <remarks>
        /// The exec API has no kill, and the PID exec inspect reports is in the engine's PID namespace: where the agent
        /// runs in another (an nspawn host, a container with the engine's socket) it names nothing, or another process.
        /// So the kill runs in the container, by a second exec that finds the tool's processes by their marker, and the
        /// exec is watched until it has ended; a tool that ignores TERM gets KILL.
        /// </remarks>
        public override async Task KillAsync()
        {
            try
            {
                foreach (var signal in (string[])["TERM", "KILL"])
                {
                    if (!await RunningAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    if (!await SignalInContainerAsync(signal).ConfigureAwait(false))
                    {
                        // No shell in the image: the engine's PID, but only where it is provably this exec's process.
                        await KillOnThisHostIfOursAsync().ConfigureAwait(false);
                    }

                    if (await EndedWithinAsync(KillGrace).ConfigureAwait(false))
                    {
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                // The engine is gone or the container with it; closing the stream below ends our side.
            }

            await _pumpCancel.CancelAsync().ConfigureAwait(false);
            _stream.Dispose();
        }

        private async Task<bool> RunningAsync()
            => (await _client.Exec.InspectContainerExecAsync(_id, CancellationToken.None).ConfigureAwait(false)).Running;

        private async Task<bool> EndedWithinAsync(TimeSpan grace)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(grace.TotalSeconds * Stopwatch.Frequency);
            while (await RunningAsync().ConfigureAwait(false))
            {
                if (Stopwatch.GetTimestamp() >= deadline)
                {
                    return false;
                }

                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
            }

            return true;
        }

        /// <summary>Runs <see cref="KillScript"/> in the container; false when it cannot run there.</summary>
        private async Task<bool> SignalInContainerAsync(string signal)
        {
            var command = new ToolCommand("sh", ["-c", KillScript, "sh", $"{MarkerVariable}={_marker}", signal]) { Container = _command.Container };
            try
            {
                await using var kill = await StartAsync(_client, command, CancellationToken.None).ConfigureAwait(false);
                var exit = await kill.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                return exit.ExitCode is not (126 or 127);
            }
            catch (ToolStartException)
            {
                return false;
            }
        }

        private async Task KillOnThisHostIfOursAsync()
        {
            var pid = (int)(await _client.Exec.InspectContainerExecAsync(_id, CancellationToken.None).ConfigureAwait(false)).Pid;
            try
            {
                if (pid > 0 && File.ReadAllText($"/proc/{pid}/environ").Split('\0').Contains($"{MarkerVariable}={_marker}", StringComparer.Ordinal))
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
            {
                // Not visible from this PID namespace, or gone already.
            }
        }

        public override async ValueTask DisposeAsync()
        {
            if (!_pump.IsCompleted)
            {
                await KillAsync().ConfigureAwait(false);
            }

            _stream.Dispose();
            _pumpCancel.Dispose();
            await _stdout.Reader.CompleteAsync().ConfigureAwait(false);
        }

        public override string ToString() => _command.Display;
    }

    /// <summary>A write-only view of the exec's stdin; disposing it half-closes the connection so the tool sees end-of-file.</summary>
    private sealed class StdinStream(MultiplexedStream stream) : Stream
    {
        private bool _closed;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => stream.WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => stream.WriteAsync(buffer, offset, count, cancellationToken);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            // The engine stream takes arrays; copy only when the memory is not array-backed.
            var segment = MemoryMarshal.TryGetArray(buffer, out var array) ? array : new ArraySegment<byte>(buffer.ToArray());
            await stream.WriteAsync(segment.Array!, segment.Offset, segment.Count, cancellationToken).ConfigureAwait(false);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_closed)
            {
                _closed = true;
                stream.CloseWrite();
            }

            base.Dispose(disposing);
        }
    }
}
