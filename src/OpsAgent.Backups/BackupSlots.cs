namespace OpsAgent.Backups;

/// <summary>Limits how many dumps run at once across all jobs (<c>MaxConcurrentBackups</c>).</summary>
/// <remarks>The limit is read on every acquisition, so a reload that changes it applies to the next run without a restart.</remarks>
internal sealed class BackupSlots
{
    private readonly Lock _lock = new();
    private readonly LinkedList<TaskCompletionSource> _waiters = new();
    private int _held;

    /// <summary>Runs holding a slot.</summary>
    public int Held
    {
        get
        {
            lock (_lock)
            {
                return _held;
            }
        }
    }

    /// <summary>Waits for a slot; dispose the result to release it.</summary>
    public async Task<IDisposable> AcquireAsync(int max, CancellationToken cancellationToken)
    {
        while (true)
        {
            TaskCompletionSource waiter;
            lock (_lock)
            {
                if (_held < Math.Max(1, max))
                {
                    _held++;
                    return new Slot(this);
                }

                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.AddLast(waiter);
            }

            try
            {
                await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                lock (_lock)
                {
                    _waiters.Remove(waiter);
                }
            }
        }
    }

    private void Release()
    {
        lock (_lock)
        {
            _held--;
            _waiters.First?.Value.TrySetResult();
        }
    }

    private sealed class Slot(BackupSlots owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release();
            }
        }
    }
}
