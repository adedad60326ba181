package dev.anneal.worker.hf;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle interpreter that only builds plain data (numbers, strings, tuples, lists, dicts) and the few
 * callables a {@code torch.save} state dict needs to rebuild its tensors. It never creates objects of
 * arbitrary classes: a reference to any other global (the {@code GLOBAL}/{@code STACK_GLOBAL} opcodes)
 * is refused on sight with {@link UnsafePickleException}, and the object-building opcodes
 * {@code INST}, {@code OBJ}, {@code NEWOBJ}, {@code NEWOBJ_EX} and the extension registry are refused
 * outright. Storages come from persistent ids ({@code ('storage', torch.FloatStorage, key, location, numel)}).
 */
final class RestrictedUnpickler {
    /** The storage classes torch writes in persistent ids, with their element types. */
    static final Map<String, SafetensorsDtype> STORAGE_TYPES = Map.ofEntries(
            Map.entry("FloatStorage", SafetensorsDtype.F32),
            Map.entry("HalfStorage", SafetensorsDtype.F16),
            Map.entry("BFloat16Storage", SafetensorsDtype.BF16),
            Map.entry("DoubleStorage", SafetensorsDtype.F64),
            Map.entry("LongStorage", SafetensorsDtype.I64),
            Map.entry("IntStorage", SafetensorsDtype.I32),
            Map.entry("ShortStorage", SafetensorsDtype.I16),
            Map.entry("CharStorage", SafetensorsDtype.I8),
            Map.entry("ByteStorage", SafetensorsDtype.U8),
            Map.entry("BoolStorage", SafetensorsDtype.BOOL));
    private static final String ORDERED_DICT = "collections.OrderedDict";
    private static final String REBUILD_TENSOR_V2 = "torch._utils._rebuild_tensor_v2";
    private static final String REBUILD_TENSOR = "torch._utils._rebuild_tensor";
    private static final String REBUILD_PARAMETER = "torch._utils._rebuild_parameter";
    private static final String REBUILD_PARAMETER_WITH_STATE = "torch._utils._rebuild_parameter_with_state";
    private static final Set<String> CALLABLES = Set.of(ORDERED_DICT, REBUILD_TENSOR_V2, REBUILD_TENSOR, REBUILD_PARAMETER,
            REBUILD_PARAMETER_WITH_STATE);
    static final String ALLOWED_GLOBALS_TEXT = String.join(", ", ORDERED_DICT, REBUILD_TENSOR_V2, REBUILD_TENSOR,
            REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE, "torch.<Type>Storage");
    private static final Object MARK = new Object();

    /** A Python tuple (immutable; distinct from a list). */
    record Tuple(List<Object> items) {
        Tuple {
            items = Collections.unmodifiableList(new ArrayList<>(items));
        }
    }

    /** An allowlisted global: a storage class or one of the rebuild callables. */
    record Global(String qualifiedName) {
    }

    /** A storage from a persistent id: its element type, zip record key and size in elements. */
    record Storage(SafetensorsDtype dtype, String key, long elements) {
    }

    /** A tensor rebuilt by {@code _rebuild_tensor_v2}: a strided view of a storage. */
    record Tensor(Storage storage, long offset, long[] shape, long[] stride) {
    }

    private final String source;
    private final ByteBuffer in;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private RestrictedUnpickler(String source, ByteBuffer in) {
        this.source = source;
        this.in = in.order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Interprets {@code bytes}; {@code source} names the file in error messages. */
    static Object load(String source, byte[] bytes) throws TorchPickleException {
        return next(source, ByteBuffer.wrap(bytes));
    }

    /**
     * Interprets the pickle that starts at the buffer's position and leaves the position just after its
     * STOP, for files that hold several pickles in a row (the legacy torch.save format).
     */
    static Object next(String source, ByteBuffer buffer) throws TorchPickleException {
        RestrictedUnpickler unpickler = new RestrictedUnpickler(source, buffer);
        try {
            return unpickler.run();
        } catch (java.nio.BufferUnderflowException e) {
            throw new TorchPickleException(source + ": pickle ends in the middle of an instruction (truncated?)");
        } catch (ClassCastException | IndexOutOfBoundsException | ArithmeticException e) {
            throw new TorchPickleException(source + ": malformed pickle near byte " + unpickler.in.position()
                    + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }

    private Object run() throws TorchPickleException {
        while (true) {
            if (!in.hasRemaining()) {
                throw new TorchPickleException(source + ": pickle has no STOP instruction (truncated?)");
            }
            int at = in.position();
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> in.get(); // PROTO n
                case 0x95 -> in.getLong(); // FRAME: framing only, the bytes follow inline
                case '.' -> {
                    return pop();
                }
                case '(' -> marks.add(stack.size());
                case '0' -> pop();
                case '1' -> popMark();
                case '2' -> push(stack.get(stack.size() - 1));
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> push((long) in.getInt());
                case 'K' -> push((long) (in.get() & 0xff));
                case 'M' -> push((long) (in.getShort() & 0xffff));
                case 0x8a -> push(readLong(in.get() & 0xff));
                case 0x8b -> push(readLong(length(in.getInt() & 0xffffffffL)));
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // big-endian
                case 'X' -> push(text(length(in.getInt() & 0xffffffffL)));
                case 0x8c -> push(text(in.get() & 0xff));
                case 0x8d -> push(text(length(in.getLong())));
                case 'T' -> push(text(length(in.getInt())));
                case 'U' -> push(text(in.get() & 0xff));
                case 'B' -> push(bytes(length(in.getInt() & 0xffffffffL)));
                case 'C' -> push(bytes(in.get() & 0xff));
                case 0x8e, 0x96 -> push(bytes(length(in.getLong())));
                case ')' -> push(new Tuple(List.of()));
                case 0x85 -> push(new Tuple(popN(1)));
                case 0x86 -> push(new Tuple(popN(2)));
                case 0x87 -> push(new Tuple(popN(3)));
                case 't' -> push(new Tuple(popMark()));
                case ']' -> push(new ArrayList<>());
                case 'l' -> push(new ArrayList<>(popMark()));
                case '}' -> push(new LinkedHashMap<>());
                case 'd' -> push(toDict(popMark()));
                case 0x8f -> push(new HashSet<>());
                case 0x91 -> push(Collections.unmodifiableSet(new HashSet<>(popMark())));
                case 'a' -> {
                    Object item = pop();
                    list(peek(), at).add(item);
                }
                case 'e' -> {
                    List<Object> items = popMark();
                    list(peek(), at).addAll(items);
                }
                case 0x90 -> {
                    List<Object> items = popMark();
                    set(peek(), at).addAll(items);
                }
                case 's' -> {
                    Object value = pop();
                    Object key = pop();
                    dict(peek(), at).put(key, value);
                }
                case 'u' -> {
                    List<Object> items = popMark();
                    dict(peek(), at).putAll(toDict(items));
                }
                case 'q' -> memo.put((long) (in.get() & 0xff), peek());
                case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek());
                case 0x94 -> memo.put((long) memo.size(), peek());
                case 'h' -> push(memoGet(in.get() & 0xff, at));
                case 'j' -> push(memoGet(in.getInt() & 0xffffffffL, at));
                case 'c' -> push(global(line(), line(), at));
                case 0x93 -> {
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw new TorchPickleException(source + ": STACK_GLOBAL at byte " + at + " needs two strings");
                    }
                    push(global(m, n, at));
                }
                case 'Q' -> push(persistentLoad(pop(), at));
                case 'R' -> {
                    Object args = pop();
                    Object callable = pop();
                    push(reduce(callable, args, at));
                }
                case 'b' -> {
                    Object state = pop();
                    build(peek(), state, at);
                }
                case 'i', 'o', 0x81, 0x92 -> throw new TorchPickleException(source + ": pickle instruction 0x"
                        + Integer.toHexString(op) + " at byte " + at + " instantiates a class; refused (a checkpoint only "
                        + "needs tensor rebuilding)");
                case 0x82, 0x83, 0x84 -> throw new TorchPickleException(source + ": pickle extension-registry instruction at "
                        + "byte " + at + " refused");
                default -> throw new TorchPickleException(source + ": unsupported pickle instruction 0x"
                        + Integer.toHexString(op) + " at byte " + at + " (not something torch.save writes for a state dict)");
            }
        }
    }

    private Global global(String module, String name, int at) throws UnsafePickleException {
        String qualified = module + "." + name;
        boolean storage = module.equals("torch") && STORAGE_TYPES.containsKey(name);
        if (!storage && !CALLABLES.contains(qualified)) {
            throw new UnsafePickleException(source, qualified, at);
        }
        return new Global(qualified);
    }

    private Object reduce(Object callable, Object args, int at) throws TorchPickleException {
        if (!(callable instanceof Global global) || !CALLABLES.contains(global.qualifiedName())) {
            throw new TorchPickleException(source + ": REDUCE at byte " + at + " calls " + describe(callable)
                    + ", which is not a tensor-rebuilding function");
        }
        if (!(args instanceof Tuple tuple)) {
            throw new TorchPickleException(source + ": REDUCE at byte " + at + " needs an argument tuple, got " + describe(args));
        }
        List<Object> a = tuple.items();
        switch (global.qualifiedName()) {
            case ORDERED_DICT -> {
                if (a.isEmpty()) {
                    return new LinkedHashMap<>();
                }
                if (a.size() == 1 && a.get(0) instanceof List<?> pairs) {
                    Map<Object, Object> out = new LinkedHashMap<>();
                    for (Object pair : pairs) {
                        List<Object> kv = sequence(pair, at);
                        out.put(kv.get(0), kv.get(1));
                    }
                    return out;
                }
                throw new TorchPickleException(source + ": OrderedDict at byte " + at + " has unexpected arguments");
            }
            case REBUILD_TENSOR_V2, REBUILD_TENSOR -> {
                if (a.size() < 4) {
                    throw new TorchPickleException(source + ": tensor rebuild at byte " + at + " has " + a.size()
                            + " arguments, at least 4 are needed");
                }
                return tensor(a.get(0), a.get(1), a.get(2), a.get(3), at);
            }
            default -> {
                // _rebuild_parameter(data, requires_grad, backward_hooks[, state]): the parameter is its data.
                if (a.isEmpty() || !(a.get(0) instanceof Tensor)) {
                    throw new TorchPickleException(source + ": parameter rebuild at byte " + at + " has no tensor argument");
                }
                return a.get(0);
            }
        }
    }

    private Tensor tensor(Object storage, Object offset, Object size, Object stride, int at) throws TorchPickleException {
        if (!(storage instanceof Storage s)) {
            throw new TorchPickleException(source + ": tensor at byte " + at + " is not backed by a storage: " + describe(storage));
        }
        long[] shape = longs(size, "size", at);
        long[] strides = longs(stride, "stride", at);
        if (shape.length != strides.length) {
            throw new TorchPickleException(source + ": tensor at byte " + at + " has size " + shape.length
                    + "-d but stride " + strides.length + "-d");
        }
        if (!(offset instanceof Long off) || off < 0) {
            throw new TorchPickleException(source + ": tensor at byte " + at + " has storage offset " + describe(offset));
        }
        long last = off;
        boolean empty = false;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || strides[i] < 0) {
                throw new TorchPickleException(source + ": tensor at byte " + at + " has a negative size or stride");
            }
            empty |= shape[i] == 0;
            last = Math.addExact(last, Math.multiplyExact(Math.max(0, shape[i] - 1), strides[i]));
        }
        if (!empty && last >= s.elements()) {
            throw new TorchPickleException(source + ": tensor at byte " + at + " reads element " + last + " of storage '"
                    + s.key() + "', which has " + s.elements() + " elements");
        }
        return new Tensor(s, off, shape, strides);
    }

    private Storage persistentLoad(Object pid, int at) throws TorchPickleException {
        List<Object> items = sequence(pid, at);
        // Zip format: ('storage', type, key, location, numel); legacy format adds view_metadata (None unless a view).
        if (items.size() == 6 && items.get(5) != null) {
            throw new TorchPickleException(source + ": storage at byte " + at + " is a view of another storage"
                    + " (legacy torch.save of storage views); not supported");
        }
        if ((items.size() != 5 && items.size() != 6) || !"storage".equals(items.get(0))) {
            throw new TorchPickleException(source + ": persistent id at byte " + at + " is not a torch storage record: "
                    + describe(pid));
        }
        if (!(items.get(1) instanceof Global type) || !type.qualifiedName().startsWith("torch.")
                || !STORAGE_TYPES.containsKey(type.qualifiedName().substring(6))) {
            throw new TorchPickleException(source + ": storage at byte " + at + " has type " + describe(items.get(1))
                    + "; supported: " + STORAGE_TYPES.keySet());
        }
        if (!(items.get(2) instanceof String key) || !key.matches("[A-Za-z0-9_]+")) {
            throw new TorchPickleException(source + ": storage at byte " + at + " has an invalid key " + describe(items.get(2)));
        }
        if (!(items.get(4) instanceof Long elements) || elements < 0) {
            throw new TorchPickleException(source + ": storage '" + key + "' has an invalid size " + describe(items.get(4)));
        }
        return new Storage(STORAGE_TYPES.get(type.qualifiedName().substring(6)), key, elements);
    }

    private void build(Object target, Object state, int at) throws TorchPickleException {
        // OrderedDict state (e.g. the state dict's _metadata attribute) carries no tensor data.
        if (!(target instanceof Map)) {
            throw new TorchPickleException(source + ": BUILD at byte " + at + " sets state on " + describe(target)
                    + "; only dictionaries may carry state");
        }
    }

    private long[] longs(Object value, String what, int at) throws TorchPickleException {
        List<Object> items = sequence(value, at);
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(items.get(i) instanceof Long l)) {
                throw new TorchPickleException(source + ": tensor " + what + " at byte " + at + " holds " + describe(items.get(i)));
            }
            out[i] = l;
        }
        return out;
    }

    private List<Object> sequence(Object value, int at) throws TorchPickleException {
        if (value instanceof Tuple t) {
            return t.items();
        }
        if (value instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        throw new TorchPickleException(source + ": expected a tuple at byte " + at + ", got " + describe(value));
    }

    private Object memoGet(long key, int at) throws TorchPickleException {
        if (!memo.containsKey(key)) {
            throw new TorchPickleException(source + ": pickle reads memo entry " + key + " at byte " + at + " before it is set");
        }
        return memo.get(key);
    }

    private Map<Object, Object> toDict(List<Object> items) throws TorchPickleException {
        if (items.size() % 2 != 0) {
            throw new TorchPickleException(source + ": odd number of items for a dictionary");
        }
        Map<Object, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i += 2) {
            Object key = items.get(i);
            if (key instanceof List || key instanceof Map) {
                throw new TorchPickleException(source + ": unhashable dictionary key " + describe(key));
            }
            out.put(key, items.get(i + 1));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object target, int at) throws TorchPickleException {
        if (target instanceof ArrayList<?> l) {
            return (List<Object>) l;
        }
        throw new TorchPickleException(source + ": APPEND at byte " + at + " to " + describe(target) + ", not a list");
    }

    @SuppressWarnings("unchecked")
    private Set<Object> set(Object target, int at) throws TorchPickleException {
        if (target instanceof HashSet<?> s) {
            return (Set<Object>) s;
        }
        throw new TorchPickleException(source + ": ADDITEMS at byte " + at + " to " + describe(target) + ", not a set");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object target, int at) throws TorchPickleException {
        if (target instanceof LinkedHashMap<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw new TorchPickleException(source + ": SETITEM at byte " + at + " on " + describe(target) + ", not a dictionary");
    }

    private int length(long n) throws TorchPickleException {
        if (n < 0 || n > in.remaining()) {
            throw new TorchPickleException(source + ": a string or bytes length of " + n + " at byte " + in.position()
                    + " runs past the end of the pickle (truncated or corrupt)");
        }
        return (int) n;
    }

    private String text(int n) throws TorchPickleException {
        return new String(bytes(length(n)), StandardCharsets.UTF_8);
    }

    private byte[] bytes(int n) throws TorchPickleException {
        byte[] out = new byte[length(n)];
        in.get(out);
        return out;
    }

    private String line() throws TorchPickleException {
        int start = in.position();
        while (in.hasRemaining()) {
            if (in.get() == '\n') {
                byte[] out = new byte[in.position() - start - 1];
                in.get(start, out);
                return new String(out, StandardCharsets.UTF_8);
            }
        }
        throw new TorchPickleException(source + ": unterminated GLOBAL name at byte " + start);
    }

    private Object readLong(int n) throws TorchPickleException {
        byte[] le = bytes(n);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        BigInteger value = new BigInteger(be);
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private void push(Object value) {
        stack.add(value);
    }

    private Object peek() throws TorchPickleException {
        if (stack.isEmpty() || (!marks.isEmpty() && marks.get(marks.size() - 1) == stack.size())) {
            throw new TorchPickleException(source + ": pickle stack underflow at byte " + in.position());
        }
        return stack.get(stack.size() - 1);
    }

    private Object pop() throws TorchPickleException {
        Object top = peek();
        stack.remove(stack.size() - 1);
        return top;
    }

    private List<Object> popN(int n) throws TorchPickleException {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop();
        }
        return java.util.Arrays.asList(items);
    }

    private List<Object> popMark() throws TorchPickleException {
        if (marks.isEmpty()) {
            throw new TorchPickleException(source + ": pickle uses a MARK that was never set (byte " + in.position() + ")");
        }
        int mark = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(mark, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private static String describe(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Global g) {
            return g.qualifiedName();
        }
        String text = String.valueOf(value);
        return value.getClass().getSimpleName() + " " + (text.length() > 80 ? text.substring(0, 80) + "..." : text);
    }
}
