package rho4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** Engine.scoped: temporaries die with the inner scope, the result lives on in the enclosing one. */
class ScopedTest {
    @Test
    void temporariesAreFreedAndTheResultMovesToTheEnclosingScope() {
        Engine.init();
        Tensor[] temp = new Tensor[1];
        Tensor out;
        try (PointerScope step = new PointerScope()) {
            out = Engine.scoped(() -> {
                temp[0] = torch.ones(3);
                return temp[0].mul(Tensors.s(2.0));
            });
            assertTrue(temp[0].isNull(), "the body's temporary is freed when the inner scope closes");
            assertFalse(out.isNull());
            assertArrayEquals(new float[] {2f, 2f, 2f}, Tensors.toFloats(out), "the result is intact after the inner scope closed");
        }
        assertTrue(out.isNull(), "the result belongs to the enclosing scope and is freed with it");
    }

    @Test
    void withoutAnEnclosingScopeTheBodyJustRuns() {
        Engine.init();
        Tensor out = Engine.scoped(() -> torch.ones(2).add(Tensors.s(1.0)));
        assertArrayEquals(new float[] {2f, 2f}, Tensors.toFloats(out));
    }
}
