namespace Nabla.Tests.Docs;

/// <summary>The snippet runner itself: a failing snippet must fail with a message that says which one and why.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class DocSnippetsTests
{
    [Fact]
    public async Task A_snippet_that_does_not_compile_is_named_with_its_line_and_diagnostic()
    {
        var snippets = DocSnippets.Extract("""
            ## 1. First
            ```csharp
            using Nabla.Tensors;
            var x = Tensor.Ones([2]);
            ```
            ## 2. Second
            ```csharp
            var y = x.NoSuchMethod();
            ```
            """);
        var failure = await DocSnippets.RunAsync(snippets, "example.md");
        Assert.NotNull(failure);
        Assert.Contains("snippet 2 of 2", failure, StringComparison.Ordinal);
        Assert.Contains("'2. Second'", failure, StringComparison.Ordinal);
        Assert.Contains("example.md(8,", failure, StringComparison.Ordinal);
        Assert.Contains("CS1061", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snippet_whose_check_throws_is_named_with_the_exception()
    {
        var snippets = DocSnippets.Extract("""
            ## 1. Only
            Some prose.
            ```csharp
            using Nabla.Tensors;
            var sum = Tensor.Ones([3]).Sum().Item();
            if (sum != 4) throw new Exception($"the sum is {sum}, not 4");
            ```
            """);
        var failure = await DocSnippets.RunAsync(snippets, "example.md");
        Assert.NotNull(failure);
        Assert.Contains("snippet 1 of 1", failure, StringComparison.Ordinal);
        Assert.Contains("the sum is 3, not 4", failure, StringComparison.Ordinal);
        Assert.Contains("example.md:line 6", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_csharp_blocks_are_snippets_and_comments_in_other_blocks_are_not_headings()
    {
        var snippets = DocSnippets.Extract("""
            # Title
            ## 1. Shell
            ```sh
            # not a heading
            dotnet test
            ```
            ```csharp
            var a = 1;
            ```
            """);
        var snippet = Assert.Single(snippets);
        Assert.Equal("1. Shell", snippet.Section);
        Assert.Equal(8, snippet.FirstLine);
        Assert.Equal("var a = 1;", snippet.Code);
    }
}
