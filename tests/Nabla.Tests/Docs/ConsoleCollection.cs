namespace Nabla.Tests.Docs;

/// <summary>The tests that run documentation snippets redirect <see cref="Console.Out"/>, which is one for the whole
/// process: they run alone, so that one test's redirection does not swallow another's output.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "Console redirection";
}
