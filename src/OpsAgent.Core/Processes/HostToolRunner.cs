using System.ComponentModel;
using System.Diagnostics;

namespace OpsAgent.Core.Processes;

/// <summary>Runs tools as child processes of the agent.</summary>
public static class HostToolRunner
{
    /// <summary>Starts <paramref name="command"/>; throws <see cref="ToolStartException"/> when the executable cannot be run.</summary>
    public static RunningTool Start(ToolCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var info = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in command.Environment)
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            throw new ToolStartException($"cannot run {command.FileName}: {ex.Message}", ex);
        }

        return new HostTool(process, command.RedirectStandardInput);
    }

    private sealed class HostTool : RunningTool
    {
        private readonly Process _process;
        private readonly TailBuffer _stderr = new();
        private readonly Task _stderrPump;
        private readonly Stream? _stdin;

        public HostTool(Process process, bool redirectInput)
        {
            _process = process;
            _stderrPump = PumpAsync(process.StandardError.BaseStream);
            if (redirectInput)
            {
                _stdin = process.StandardInput.BaseStream;
            }
            else
            {
                process.StandardInput.Close();
            }
        }

        public override Stream StandardOutput => _process.StandardOutput.BaseStream;

        public override Stream? StandardInput => _stdin;

        private async Task PumpAsync(Stream stderr)
        {
            var buffer = new byte[8192];
            int read;
            while ((read = await stderr.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                _stderr.Append(buffer.AsSpan(0, read));
            }
        }

        public override async Task<ToolExit> WaitForExitAsync(CancellationToken cancellationToken)
        {
            await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            await _stderrPump.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new ToolExit(_process.ExitCode, _stderr.ToString());
        }

        public override Task KillAsync()
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                // Reap it now, so no killed tool lingers as a zombie or outlives the run.
                _process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            return Task.CompletedTask;
        }

        public override async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                await KillAsync().ConfigureAwait(false);
            }

            _process.Dispose();
        }
    }
}
