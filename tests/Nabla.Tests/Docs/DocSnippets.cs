using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Nabla.Tensors;

namespace Nabla.Tests.Docs;

/// <summary>Extracts the C# blocks of a Markdown file and runs them as one script session, like notebook cells.</summary>
internal static class DocSnippets
{
    /// <summary>The ```csharp blocks of <paramref name="markdown"/>, in order. Other fenced blocks are skipped whole, so
    /// a shell comment in a ```sh block is not taken for a heading.</summary>
    /// <exception cref="FormatException">A fence is never closed.</exception>
    public static List<DocSnippet> Extract(string markdown)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var snippets = new List<DocSnippet>();
        string section = "(before any heading)";
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('#'))
            {
                section = lines[i].TrimStart('#').Trim();
            }
            else if (lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                int first = i + 1, end = first;
                while (end < lines.Length && lines[end].TrimEnd() != "```") end++;
                if (end == lines.Length) throw new FormatException($"the fenced block opened on line {i + 1} is never closed");
                if (lines[i].TrimEnd() == "```csharp")
                    snippets.Add(new DocSnippet(snippets.Count + 1, section, first + 1, string.Join('\n', lines[first..end])));
                i = end;
            }
        }

        return snippets;
    }

    /// <summary>Runs the snippets in order, each continuing the previous one's state; returns null when all of them
    /// compile and run, or a message naming the first that fails with its diagnostics or exception. What the snippets
    /// print goes to <paramref name="output"/> when one is given (the console is redirected for the run).</summary>
    public static async Task<string?> RunAsync(IReadOnlyList<DocSnippet> snippets, string fileName, TextWriter? output = null)
    {
        var console = Console.Out;
        if (output is not null) Console.SetOut(output);
        try
        {
            return await RunAllAsync(snippets, fileName);
        }
        finally
        {
            if (output is not null) Console.SetOut(console);
        }
    }

    private static async Task<string?> RunAllAsync(IReadOnlyList<DocSnippet> snippets, string fileName)
    {
        // The imports a project's implicit usings give; snippets bring their own Nabla usings.
        var options = ScriptOptions.Default
            .AddReferences(typeof(Tensor).Assembly)
            .AddImports("System", "System.Collections.Generic", "System.Linq")
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithEmitDebugInformation(true);
        ScriptState<object>? state = null;
        foreach (var snippet in snippets)
        {
            // #line makes diagnostics and stack traces point into the Markdown file.
            string code = $"#line {snippet.FirstLine} \"{fileName}\"\n{snippet.Code}";
            try
            {
                state = state is null
                    ? await CSharpScript.RunAsync(code, options)
                    : await state.ContinueWithAsync(code, options);
            }
            catch (CompilationErrorException e)
            {
                var message = new StringBuilder(Describe(snippet, snippets.Count, fileName)).Append(" does not compile:");
                foreach (var d in e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)) message.Append('\n').Append(d);
                return message.ToString();
            }
#pragma warning disable CA1031 // Any exception a snippet throws is a failed claim of the tutorial, reported as such.
            catch (Exception e)
#pragma warning restore CA1031
            {
                return $"{Describe(snippet, snippets.Count, fileName)} threw {e}";
            }
        }

        return null;
    }

    private static string Describe(DocSnippet snippet, int count, string fileName) =>
        $"snippet {snippet.Number} of {count} ({fileName} line {snippet.FirstLine}, under '{snippet.Section}')";
}
