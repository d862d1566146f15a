using Microsoft.Extensions.Logging;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Copies;

/// <summary>What a target type gets besides its options when it connects.</summary>
/// <param name="Name">The target's name (<c>offsite</c>).</param>
/// <param name="Path">The target's configuration path (<c>OpsAgent:Targets:offsite</c>), for secret errors.</param>
/// <param name="Target">The target's common settings (timeout, bandwidth).</param>
/// <param name="Secrets">Resolves the target's secrets on the member that connects.</param>
/// <param name="Tools">Starts host tools.</param>
/// <param name="Time">The clock.</param>
/// <param name="Logger">For what the type logs itself.</param>
public sealed record CopyTargetContext(string Name, string Path, CopyTargetOptions Target, SecretResolver Secrets, ToolRunner Tools, TimeProvider Time, ILogger Logger);
