global using NUnit.Framework;
global using OpsAgent.Testing;
