namespace Nabla.Tests;

/// <summary>Assertions for misuse of the public API: the exception is of the expected type, its message names what
/// was wrong, and it was thrown by an entry point, not from deep inside a kernel.</summary>
internal static class Guard
{
    public static TException Throws<TException>(Action action, params string[] fragments)
        where TException : Exception
    {
        var e = Assert.Throws<TException>(action);
        foreach (var fragment in fragments)
            Assert.True(e.Message.Contains(fragment, StringComparison.Ordinal), $"the message \"{e.Message}\" does not contain \"{fragment}\"");
        string origin = e.TargetSite?.DeclaringType?.FullName ?? "";
        Assert.False(origin.StartsWith("Nabla.Kernels", StringComparison.Ordinal),
            $"thrown inside {origin}.{e.TargetSite?.Name}: {e.Message}");
        return e;
    }
}
