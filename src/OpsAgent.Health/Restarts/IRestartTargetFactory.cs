namespace OpsAgent.Health.Restarts;

/// <summary>Creates the restart target of a probe.</summary>
internal interface IRestartTargetFactory
{
    /// <summary>The target <paramref name="options"/> names.</summary>
    IRestartTarget Create(RestartOptions options);
}
