namespace OpsAgent.Health.Checks;

/// <summary>Keeps the value reported, synchronously (<see cref="Progress{T}"/> would post it to the thread pool, after the call returned).</summary>
internal sealed class SynchronousProgress<T> : IProgress<T>
{
    public T? Value { get; private set; }

    public void Report(T value) => Value = value;
}
