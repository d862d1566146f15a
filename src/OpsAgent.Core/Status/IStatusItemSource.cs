namespace OpsAgent.Core.Status;

/// <summary>Contributes <see cref="StatusItem"/>s to <c>/status</c>.</summary>
public interface IStatusItemSource
{
    /// <summary>The current items.</summary>
    IEnumerable<StatusItem> GetItems();
}
