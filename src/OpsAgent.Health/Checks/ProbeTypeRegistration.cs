namespace OpsAgent.Health.Checks;

/// <summary>One registered probe type: its name and the class that implements it.</summary>
internal sealed record ProbeTypeRegistration(string Name, Type TypeType);
