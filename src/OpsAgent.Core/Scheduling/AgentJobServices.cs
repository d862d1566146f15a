using Microsoft.Extensions.Logging;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Core.Scheduling;

/// <summary>The services every <see cref="AgentJob"/> needs, bundled so capability jobs take one constructor argument.</summary>
/// <param name="Status">The status store.</param>
/// <param name="Configuration">The configuration manager.</param>
/// <param name="Redactor">The redactor.</param>
/// <param name="Time">The clock.</param>
/// <param name="LoggerFactory">Creates loggers.</param>
public sealed record AgentJobServices(JobStatusStore Status, AgentConfigurationManager Configuration, SecretRedactor Redactor, TimeProvider Time, ILoggerFactory LoggerFactory);
