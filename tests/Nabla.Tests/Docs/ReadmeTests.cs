using Xunit.Abstractions;

namespace Nabla.Tests.Docs;

/// <summary>The README's custom-module example (a residual MLP trained through <c>Trainer</c>) is a whole program: its
/// C# block runs here as a script, and it throws when the model does not train or its steps are not replayed.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ReadmeTests(ITestOutputHelper output)
{
    private const string ReadmePath = "README.md";
    private const string CustomModuleSection = "A network of your own";

    [Fact]
    public async Task The_custom_module_example_trains_captured()
    {
        var snippets = DocSnippets.Extract(File.ReadAllText(Path.Combine(RepositoryFolders.Root(), ReadmePath)))
            .Where(s => s.Section == CustomModuleSection).ToList();
        Assert.True(snippets.Count == 1, $"{ReadmePath} should hold one C# block under '{CustomModuleSection}', not {snippets.Count}");
        using var printed = new StringWriter();
        var failure = await DocSnippets.RunAsync(snippets, ReadmePath, printed);
        output.WriteLine(printed.ToString());
        Assert.True(failure is null, failure);
        Assert.Contains("steps replayed", printed.ToString(), StringComparison.Ordinal);
        Assert.Contains("blocks.0.up", printed.ToString(), StringComparison.Ordinal);   // the traced summary
    }
}
