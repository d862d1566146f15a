namespace OpsAgent.Health.Restarts;

/// <summary>One registered restart target type: its key, the class that implements it and its options type.</summary>
internal sealed record RestartTargetRegistration(string Key, Type TypeType, Type OptionsType);
