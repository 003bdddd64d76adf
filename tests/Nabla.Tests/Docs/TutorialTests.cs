using Xunit.Abstractions;

namespace Nabla.Tests.Docs;

/// <summary>docs/tutorial.md is a notebook: its ```csharp blocks run in order as one C# script session, and each
/// block checks the claim of its text, so a tutorial that drifts from the library fails here.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class TutorialTests(ITestOutputHelper output)
{
    private const string TutorialPath = "docs/tutorial.md";

    [Fact]
    public async Task Every_snippet_of_the_tutorial_compiles_and_runs_in_order()
    {
        var snippets = DocSnippets.Extract(File.ReadAllText(Path.Combine(RepositoryFolders.Root(), TutorialPath)));
        using var printed = new StringWriter();
        var failure = await DocSnippets.RunAsync(snippets, TutorialPath, printed);
        output.WriteLine(printed.ToString());   // the notebook's output, shown with the result
        Assert.True(failure is null, failure);
    }

    [Fact]
    public void Every_numbered_section_of_the_tutorial_has_a_snippet()
    {
        var markdown = File.ReadAllText(Path.Combine(RepositoryFolders.Root(), TutorialPath)).ReplaceLineEndings("\n");
        Assert.True(DocSnippets.Extract(markdown).Count >= 6, $"{TutorialPath} needs at least 6 C# snippets, one per section");

        // "## 1. …" to "## 6. …" follow the lecture; each must hold at least one block of code.
        var sections = markdown.Split("\n## ").Skip(1).Where(s => char.IsDigit(s[0])).ToList();
        Assert.True(sections.Count >= 6, $"{TutorialPath} has {sections.Count} numbered sections, not the lecture's 6");
        foreach (var section in sections)
            Assert.True(section.Contains("\n```csharp\n", StringComparison.Ordinal), $"section '{section.Split('\n')[0]}' of {TutorialPath} has no C# snippet");
    }
}
